/** The alert rules, validated on save (see rules.ts), with hub-assigned ids. */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { AlertRule, AlertRuleSchema } from '../../../src-shared';
import { checkRule, RuleError } from './rules';

export const MAX_RULES = 200;

export type RuleInput = z.output<typeof AlertRuleSchema>;

export class RuleBook {
  private rules: AlertRule[];

  constructor(
    initial: AlertRule[],
    private readonly onChange: () => void,
  ) {
    this.rules = [...initial];
  }

  all(): readonly AlertRule[] {
    return this.rules;
  }

  get(id: string): AlertRule | undefined {
    return this.rules.find((r) => r.id === id);
  }

  /** Create (no id, or an unused id) or replace a rule. Throws RuleError. */
  save(input: RuleInput, channelExists: (id: string) => boolean): { before?: AlertRule; after: AlertRule } {
    const id = input.id ?? `rule-${randomBytes(4).toString('hex')}`;
    const before = this.get(id);
    if (!before && this.rules.length >= MAX_RULES)
      throw new RuleError(`at most ${MAX_RULES} rules; delete one first`);
    const after = checkRule({ ...input, id }, channelExists);
    this.rules = before ? this.rules.map((r) => (r.id === id ? after : r)) : [...this.rules, after];
    this.onChange();
    return { before, after };
  }

  delete(id: string): AlertRule | undefined {
    const rule = this.get(id);
    if (!rule) return undefined;
    this.rules = this.rules.filter((r) => r.id !== id);
    this.onChange();
    return rule;
  }

  /** A channel was deleted: rules stop referring to it. Returns the rules that changed. */
  dropChannel(channelId: string): { before: AlertRule; after: AlertRule }[] {
    const changed: { before: AlertRule; after: AlertRule }[] = [];
    this.rules = this.rules.map((rule) => {
      if (!rule.channels.includes(channelId)) return rule;
      const after = { ...rule, channels: rule.channels.filter((c) => c !== channelId) };
      changed.push({ before: rule, after });
      return after;
    });
    if (changed.length > 0) this.onChange();
    return changed;
  }
}
