// @vitest-environment happy-dom
/** Language choice: the OS/browser language by default, a switch in Settings, kept and applied at once. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LanguageSection } from '../../../src-renderer/components/settings/LanguageSection';
import {
  chooseLanguage,
  i18next,
  LANGUAGE_STORAGE_KEY,
  languageForTag,
  preferredLanguage,
  setupI18n,
  storedLanguage,
  systemLanguage,
} from '../../../src-renderer/i18n';
import { useFormat } from '../../../src-renderer/i18n/format';

function setBrowserLanguages(tags: string[]): void {
  Object.defineProperty(navigator, 'languages', { configurable: true, get: () => tags });
  Object.defineProperty(navigator, 'language', { configurable: true, get: () => tags[0] ?? '' });
}

beforeAll(() => {
  localStorage.clear();
  // A Portuguese (Portugal) OS: still the Brazilian translation, the only Portuguese one.
  setBrowserLanguages(['pt-PT', 'en-GB']);
  setupI18n();
});

afterEach(async () => {
  cleanup();
  setBrowserLanguages(['pt-PT', 'en-GB']);
  await act(() => chooseLanguage('system'));
});

describe('language detection', () => {
  it('maps any pt tag to pt-BR, English tags to en and ignores the rest', () => {
    expect(languageForTag('pt')).toBe('pt-BR');
    expect(languageForTag('pt-BR')).toBe('pt-BR');
    expect(languageForTag('pt_PT')).toBe('pt-BR');
    expect(languageForTag('en-US')).toBe('en');
    expect(languageForTag('fr-FR')).toBeUndefined();
    expect(languageForTag('')).toBeUndefined();
    expect(systemLanguage(['fr-FR', 'pt-BR'])).toBe('pt-BR');
    expect(systemLanguage(['de-DE', 'fr'])).toBe('en');
    expect(systemLanguage([])).toBe('en');
  });

  it('starts in the OS/browser language and says so in <html lang>', () => {
    expect(i18next.language).toBe('pt-BR');
    expect(document.documentElement.lang).toBe('pt-BR');
    expect(i18next.t('nav.settings')).toBe('Configurações');
  });

  it('prefers a stored choice and ignores a stored value it does not know', () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'en');
    expect(preferredLanguage()).toBe('en');
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'klingon');
    expect(storedLanguage()).toBeUndefined();
    expect(preferredLanguage()).toBe('pt-BR');
    localStorage.removeItem(LANGUAGE_STORAGE_KEY);
  });
});

describe('plurals in Portuguese', () => {
  it('says "0 agentes", "1 agente", "2 agentes" and groups thousands with dots', () => {
    const t = i18next.getFixedT('pt-BR');
    expect(t('agents.count', { count: 0 })).toBe('0 agentes');
    expect(t('agents.count', { count: 1 })).toBe('1 agente');
    expect(t('agents.count', { count: 2 })).toBe('2 agentes');
    expect(t('agents.count', { count: 1_000_000 })).toBe('1.000.000 agentes');
    expect(i18next.getFixedT('en')('agents.count', { count: 0 })).toBe('0 agents');
  });
});

function Sample() {
  const fmt = useFormat();
  return <output data-testid="sample">{fmt.number(1234.5, 1)}</output>;
}

describe('the language switch in Settings', () => {
  it('switches every string and format at once, keeps the choice, and goes back to the system language', async () => {
    render(
      <>
        <LanguageSection />
        <Sample />
      </>,
    );
    const select = screen.getByTestId('language-select') as HTMLSelectElement;
    expect(select.value).toBe('system');
    expect(screen.getByRole('heading', { name: 'Idioma' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'Idioma do sistema (Português (Brasil))' })).toBeTruthy();
    expect(screen.getByTestId('sample').textContent).toBe('1.234,5');

    await act(async () => {
      fireEvent.change(select, { target: { value: 'en' } });
    });
    expect(i18next.language).toBe('en');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    expect(screen.getByRole('heading', { name: 'Language' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'System language (Português (Brasil))' })).toBeTruthy();
    // Each language keeps its own name in the list, whatever the current language.
    expect(screen.getByRole('option', { name: 'Português (Brasil)' })).toBeTruthy();
    expect(screen.getByTestId('sample').textContent).toBe('1,234.5');

    await act(async () => {
      fireEvent.change(select, { target: { value: 'pt-BR' } });
    });
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('pt-BR');
    expect(screen.getByRole('heading', { name: 'Idioma' })).toBeTruthy();

    setBrowserLanguages(['en-US']);
    await act(async () => {
      fireEvent.change(select, { target: { value: 'system' } });
    });
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBeNull();
    expect(i18next.language).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    expect(screen.getByRole('option', { name: 'System language (English)' })).toBeTruthy();
  });
});
