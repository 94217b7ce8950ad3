import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  chooseLanguage,
  storedLanguage,
  SUPPORTED_LANGUAGES,
  systemLanguage,
  type Language,
} from '../../i18n';

type Choice = Language | 'system';

/**
 * The console's language: the OS/browser language by default, or one chosen here. The choice is
 * applied at once (no reload) and kept for the next start.
 */
export function LanguageSection() {
  const { t } = useTranslation();
  const ids = useId();
  const [choice, setChoice] = useState<Choice>(() => storedLanguage() ?? 'system');

  const onChange = (value: string): void => {
    // Only our own option values arrive here; anything else counts as "follow the system".
    const next = SUPPORTED_LANGUAGES.find((lng) => lng === value) ?? 'system';
    setChoice(next);
    void chooseLanguage(next);
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="language-settings">
      <h2 id={`${ids}-title`} className="card-title">
        {t('settings.language.title')}
      </h2>
      <p className="muted" id={`${ids}-intro`}>
        {t('settings.language.intro')}
      </p>
      <label className="form-field">
        <span className="form-label">{t('settings.language.label')}</span>
        <select
          className="select input"
          value={choice}
          aria-describedby={`${ids}-intro`}
          data-testid="language-select"
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="system">
            {t('settings.language.system', { language: t(`settings.language.names.${systemLanguage()}`) })}
          </option>
          {SUPPORTED_LANGUAGES.map((lng) => (
            // Each language in its own name, whatever the current one: findable by whoever reads it.
            <option key={lng} value={lng} lang={lng}>
              {t(`settings.language.names.${lng}`, { lng })}
            </option>
          ))}
        </select>
      </label>
    </section>
  );
}
