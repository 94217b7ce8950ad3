/** Default alert rules keep English names in the hub; the console shows them in its language. */
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../../src-main/hub/alerts/defaults';
import { i18next, setupI18n } from '../../../src-renderer/i18n';
import en from '../../../src-renderer/i18n/locales/en.json';
import { DEFAULT_RULE_IDS, ruleDisplayName } from '../../../src-renderer/i18n/rule-names';

beforeAll(() => {
  setupI18n('pt-BR');
});

describe('default alert rule names', () => {
  it('knows every default rule of the hub by its id and English name', () => {
    const hub = Object.fromEntries(defaultRules().map((r) => [r.id, r.name]));
    expect(Object.keys(hub).sort()).toEqual([...DEFAULT_RULE_IDS].sort());
    expect(en.alerts.rules.defaultName).toEqual(hub);
  });

  it('shows a default name in the console language, and a renamed or custom rule as typed', async () => {
    await i18next.changeLanguage('pt-BR');
    expect(ruleDisplayName('cpu-high', 'CPU above 90 %')).toBe('CPU acima de 90 %');
    expect(ruleDisplayName('agent-offline', 'Agent offline')).toBe('Agente offline');
    expect(ruleDisplayName('cpu-high', 'CPU do banco')).toBe('CPU do banco');
    expect(ruleDisplayName('my-rule', 'Agent offline')).toBe('Agent offline');
    await i18next.changeLanguage('en');
    expect(ruleDisplayName('cpu-high', 'CPU above 90 %')).toBe('CPU above 90 %');
  });
});
