/**
 * The rules wing of perception: the pure semantics of rules on sensor data
 * (docs/perception.md#rule-semantics). No database, no HTTP, no clock: a device's state and
 * time come in as arguments, alert transitions go out.
 */
export { compare, evaluateCondition, type LeafValue, type Sample, type Timeline } from './condition.ts';
export {
  type AlertTransition,
  type ClearTransition,
  DEFAULT_LATE_MINUTES,
  DEFAULT_MAX_SAMPLES_PER_PROPERTY,
  type DeviceState,
  EVIDENCE_LIMIT,
  type Evidence,
  type EvaluatorOptions,
  newDeviceState,
  observe,
  type RaiseTransition,
  type RepeatTransition,
  type RuleObservation,
  type RuleState,
  type StepResult,
  tick,
} from './evaluator.ts';
export {
  ANY_PROPERTY,
  DEFAULT_MAX_GAP_MINUTES,
  leavesOf,
  type PerceptionRule,
  readsOf,
  ruleFromDeclaration,
} from './rule-model.ts';
