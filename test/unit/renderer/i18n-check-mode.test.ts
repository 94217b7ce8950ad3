// @vitest-environment happy-dom
/**
 * The translation check mode the e2e turns on: no fallback to English, every miss recorded, so a
 * key missing in Portuguese shows up as itself instead of hiding behind the English text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { I18N_CHECK_STORAGE_KEY, i18next, setupI18n } from '../../../src-renderer/i18n';

beforeAll(() => {
  localStorage.setItem(I18N_CHECK_STORAGE_KEY, '1');
  setupI18n('pt-BR');
  // A key only English has, as when a new string has not been translated yet.
  i18next.addResource('en', 'translation', 'onlyEnglish', 'Only in English');
});

describe('translation check mode', () => {
  it('records a key missing in the current language and shows it raw, not in English', () => {
    expect(window.__i18nMissing).toEqual([]);
    expect(i18next.t('nav.settings')).toBe('Configurações');
    expect(i18next.t('onlyEnglish' as never)).toBe('onlyEnglish');
    expect(window.__i18nMissing).toEqual([{ lng: 'pt-BR', key: 'onlyEnglish' }]);
  });
});
