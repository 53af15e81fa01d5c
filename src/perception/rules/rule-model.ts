/**
 * The rule as the evaluator takes it: one condition tree, durations with their defaults
 * filled in, addressed by code and version. Plates' declarations (the threshold form or the
 * `condition` form of the SDK) and, later, run-time rules both become this shape.
 */
import type { RuleCondition, RuleDeclaration, Severity, Urgency } from '../../kernel/index.ts';

/** A gap between two instants of a run longer than this breaks it, unless a rule says otherwise. */
export const DEFAULT_MAX_GAP_MINUTES = 60;

/** A rule ready for evaluation (docs/perception.md#rule-semantics). */
export interface PerceptionRule {
  /** The rule's code; one state per (code, device). */
  readonly code: string;
  /** Bumped when the rule changes; a device's state of another version starts over. */
  readonly version: number;
  readonly sensorType: string;
  readonly condition: RuleCondition;
  readonly forMinutes: number;
  readonly clearMinutes: number;
  readonly maxGapMinutes: number;
  readonly severity: Severity;
  readonly createCase?: { readonly category: string; readonly urgency?: Urgency };
}

/**
 * A plate's (registry-validated) declaration as a rule: the threshold form becomes a `value`
 * condition on its property, with its clear level.
 */
export function ruleFromDeclaration(rule: RuleDeclaration, version = 1): PerceptionRule {
  const condition: RuleCondition =
    rule.condition ??
    ({
      kind: 'value',
      property: rule.property,
      operator: rule.operator,
      threshold: rule.threshold,
      ...(rule.clearThreshold === undefined ? {} : { clearThreshold: rule.clearThreshold }),
    } as const);
  return {
    code: rule.code,
    version,
    sensorType: rule.sensorType,
    condition,
    forMinutes: rule.forMinutes ?? 0,
    clearMinutes: rule.clearMinutes ?? 0,
    maxGapMinutes: rule.maxGapMinutes ?? DEFAULT_MAX_GAP_MINUTES,
    severity: rule.severity,
    ...(rule.createCase ? { createCase: rule.createCase } : {}),
  };
}

/** `'*'` in what a rule reads: every property of the device (an absence of any observation). */
export const ANY_PROPERTY = '*';

type Leaf = Exclude<RuleCondition, { kind: 'and' | 'or' | 'not' }>;

/** The leaves of a condition tree, left to right. */
export function leavesOf(condition: RuleCondition): readonly Leaf[] {
  const known = leavesMemo.get(condition);
  if (known) return known;
  const leaves: Leaf[] = [];
  const walk = (c: RuleCondition) => {
    if (c.kind === 'and' || c.kind === 'or') for (const inner of c.conditions) walk(inner);
    else if (c.kind === 'not') walk(c.condition);
    else leaves.push(c);
  };
  walk(condition);
  leavesMemo.set(condition, leaves);
  return leaves;
}

const leavesMemo = new WeakMap<RuleCondition, readonly Leaf[]>();

/**
 * How far back, in minutes of observation time, the rule reads each property: 0 for a
 * latest value, the window for rates and aggregates, the minutes of an absence. An absence
 * of any observation reads every property, as `'*'`.
 */
export function readsOf(rule: PerceptionRule): ReadonlyMap<string, number> {
  const known = readsMemo.get(rule);
  if (known) return known;
  const reads = new Map<string, number>();
  for (const leaf of leavesOf(rule.condition)) {
    const property = leaf.property ?? ANY_PROPERTY;
    const back = leaf.kind === 'absent' ? leaf.minutes : leaf.kind === 'value' ? 0 : leaf.windowMinutes;
    reads.set(property, Math.max(reads.get(property) ?? 0, back));
  }
  readsMemo.set(rule, reads);
  return reads;
}

/** A pure memo: a rule is an immutable value. */
const readsMemo = new WeakMap<PerceptionRule, ReadonlyMap<string, number>>();
