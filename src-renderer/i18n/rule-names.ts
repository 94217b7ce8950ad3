/**
 * The hub names its default alert rules in English (src-main/hub/alerts/defaults.ts) and stores the
 * names like any other rule's. While a default rule keeps its default name, the console shows that
 * name in the console's language; a name the operator typed is shown as typed.
 */
import { i18next } from './index';

/** Ids of the hub's default rules (src-main/hub/alerts/defaults.ts). */
export const DEFAULT_RULE_IDS = [
  'agent-offline',
  'server-offline',
  'cpu-high',
  'memory-high',
  'disk-high',
  'job-failed',
] as const;
type DefaultRuleId = (typeof DEFAULT_RULE_IDS)[number];

const isDefault = (id: string): id is DefaultRuleId => (DEFAULT_RULE_IDS as readonly string[]).includes(id);

export function ruleDisplayName(ruleId: string, name: string): string {
  if (!isDefault(ruleId)) return name;
  const key = `alerts.rules.defaultName.${ruleId}` as const;
  return name === i18next.t(key, { lng: 'en' }) ? i18next.t(key) : name;
}
