/**
 * Rule checks the zod contract cannot express (a threshold is required for cpu/memory/disk, channels
 * must exist…), and what an edit means for the alerts a rule already raised.
 */
import type { AlertKind, AlertRule } from '../../../src-shared';

export class RuleError extends Error {
  override name = 'RuleError';
}

export const THRESHOLD_KINDS: ReadonlySet<AlertKind> = new Set(['cpu', 'memory', 'disk']);
export const isThresholdKind = (kind: AlertKind): kind is 'cpu' | 'memory' | 'disk' =>
  THRESHOLD_KINDS.has(kind);

/** Longest wait before a threshold alert resolves once the value is back down (see docs/alerts.md). */
export const MAX_RESOLVE_MS = 60_000;

export const resolveDelayMs = (rule: Pick<AlertRule, 'forSec'>): number =>
  Math.min(rule.forSec * 1000, MAX_RESOLVE_MS);

/**
 * Checks a rule (already shaped by AlertRuleSchema) and normalizes it. Throws RuleError with a
 * message meant for the operator.
 */
export function checkRule(rule: AlertRule, channelExists: (id: string) => boolean): AlertRule {
  const out: AlertRule = { ...rule, selector: { ...rule.selector }, channels: [...new Set(rule.channels)] };
  if (isThresholdKind(rule.kind)) {
    if (rule.threshold === undefined)
      throw new RuleError(`a ${rule.kind} rule needs a threshold (a percentage between 0 and 100)`);
    if (rule.threshold >= 100)
      throw new RuleError(`threshold ${rule.threshold} % can never be exceeded; use a value below 100`);
    if (rule.hysteresis >= rule.threshold)
      throw new RuleError(
        `hysteresis (${rule.hysteresis}) must be smaller than the threshold (${rule.threshold}), ` +
          'otherwise the alert could never resolve',
      );
  } else {
    // Thresholds mean nothing for presence and job rules; a form may still send its field.
    delete out.threshold;
  }
  if (rule.kind === 'job_failed') out.forSec = 0;
  const unknown = out.channels.filter((id) => !channelExists(id));
  if (unknown.length > 0)
    throw new RuleError(
      `unknown notification channel${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
    );
  return out;
}

/**
 * Whether an edit changes what the rule detects (then pending conditions restart and alerts that no
 * longer apply resolve); a new name, severity or channel list keeps the alerts as they are.
 */
export function conditionChanged(before: AlertRule, after: AlertRule): boolean {
  return (
    before.kind !== after.kind ||
    before.enabled !== after.enabled ||
    before.threshold !== after.threshold ||
    before.forSec !== after.forSec ||
    before.hysteresis !== after.hysteresis ||
    JSON.stringify(sortedEntries(before.selector)) !== JSON.stringify(sortedEntries(after.selector))
  );
}

const sortedEntries = (record: Record<string, string>): [string, string][] =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
