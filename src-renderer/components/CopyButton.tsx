import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies `text` to the clipboard and says so for a moment (politely announced to screen readers). */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-small"
      aria-label={t('connect.copyLabel', { what })}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      <span aria-live="polite">
        {state === 'copied'
          ? t('connect.copied')
          : state === 'failed'
            ? t('connect.copyFailed')
            : t('connect.copy')}
      </span>
    </button>
  );
}
