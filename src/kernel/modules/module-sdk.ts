/**
 * The module SDK: the only thing a plate (`modules/<id>/`) may import, as `#sdk`.
 * A plate is mostly data: names, departments, case categories, sensor types, rules,
 * NGSI-LD entity types, widgets and map layers. Hooks exist only where data is not enough.
 */

/** A name in both shipped languages. */
export interface LocalizedText {
  readonly 'zh-CN': string;
  readonly en: string;
}

export const URGENCIES = ['normal', 'urgent', 'emergency'] as const;
/** How urgent a case is; drives the SLA limits. */
export type Urgency = (typeof URGENCIES)[number];

export const STAGES = ['file', 'dispatch', 'accept', 'handle', 'verify'] as const;
/** A stage of the closed loop that has its own time limit. */
export type Stage = (typeof STAGES)[number];

export const TIME_BASES = ['working', 'calendar'] as const;
/** Whether a limit counts working time (hours, weekends, holidays) or calendar time. */
export type TimeBasis = (typeof TIME_BASES)[number];

/** Time limits of one urgency: minutes per stage, and how they are counted. */
export interface StageLimits {
  readonly basis: TimeBasis;
  /** Minutes allowed for each stage; a stage left out has no limit. */
  readonly minutes: Readonly<Partial<Record<Stage, number>>>;
}

export const CATEGORY_KINDS = ['component', 'event'] as const;
/** 部件 (a city object) or 事件 (a happening). */
export type CategoryKind = (typeof CATEGORY_KINDS)[number];

export const ATTRIBUTE_DATATYPES = [
  'string',
  'number',
  'datetime',
  'text',
  'singlevaluelist',
  'multivaluelist',
] as const;
/** Datatypes of a category's extra questions (Open311 service definition attributes). */
export type AttributeDatatype = (typeof ATTRIBUTE_DATATYPES)[number];

/** An extra question asked when reporting in a category (Open311 `attributes`). */
export interface CategoryAttribute {
  readonly code: string;
  readonly datatype: AttributeDatatype;
  readonly description: LocalizedText;
  readonly required?: boolean;
  /** false for informational text that takes no answer. */
  readonly variable?: boolean;
  readonly order?: number;
  /** For the list datatypes: the allowed keys and their names. */
  readonly values?: ReadonlyArray<{ readonly key: string; readonly name: LocalizedText }>;
}

/** Who acts by default when the responsibility list has no more specific rule. */
export interface DefaultResponsibility {
  /** Department code of the lead. */
  readonly lead: string;
  /** Department codes of assisting departments. */
  readonly assist?: readonly string[];
}

/** A case category: a major class (no parent) or a minor class (with parent). */
export interface CategoryDeclaration {
  /** Globally unique code, e.g. `CM.C.01.01` or `ENV.E.01`. */
  readonly code: string;
  readonly name: LocalizedText;
  readonly kind: CategoryKind;
  /** Code of the major class (in the same module) this minor class belongs to. */
  readonly parent?: string;
  /** Digital urban management class digits: 2-digit major or minor class number. */
  readonly classNumber?: string;
  readonly defaultUrgency?: Urgency;
  /** Stage limits per urgency; minor classes inherit their parent's when absent. */
  readonly timeLimits?: Readonly<Partial<Record<Urgency, StageLimits>>>;
  readonly defaultResponsibility?: DefaultResponsibility;
  /** Dispatch without a dispatcher when the responsibility list has a match. */
  readonly autoDispatch?: boolean;
  /** May citizens report it (Open311 service)? Default true for minor classes. */
  readonly public?: boolean;
  readonly keywords?: readonly string[];
  readonly attributes?: readonly CategoryAttribute[];
}

export const DEPARTMENT_KINDS = [
  'bureau',
  'district_government',
  'street_office',
  'utility',
  'enterprise',
  'center',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

/** A department a plate brings (created in the organization when the city is seeded). */
export interface DepartmentDeclaration {
  /** Globally unique code, e.g. `urban-management`. */
  readonly code: string;
  readonly name: LocalizedText;
  readonly kind: DepartmentKind;
  /** Code of a parent department, if any. */
  readonly parent?: string;
}

/** One measured quantity of a sensor type. */
export interface DatastreamDeclaration {
  /** Observed property, e.g. `pm25`. Unique within the sensor type. */
  readonly property: string;
  readonly name: LocalizedText;
  /** UCUM unit code, e.g. `ug/m3`, `dB`, `mg/L`. */
  readonly unit: string;
  /** Plausible range; values outside it are stored with quality `suspect`. */
  readonly min?: number;
  readonly max?: number;
}

/** A value computed from the latest values of a device's datastreams (e.g. AQI). */
export interface DerivedValueDeclaration {
  readonly property: string;
  readonly name: LocalizedText;
  readonly unit: string;
  /** Returns the derived value, or null when the inputs do not allow it. */
  readonly compute: (latest: Readonly<Record<string, number>>) => number | null;
}

/** A kind of device a plate knows about. */
export interface SensorTypeDeclaration {
  /** Globally unique code, e.g. `air-quality-station`. */
  readonly code: string;
  readonly name: LocalizedText;
  readonly datastreams: readonly DatastreamDeclaration[];
  readonly derived?: readonly DerivedValueDeclaration[];
  /** NGSI-LD type under which its latest values are published, e.g. `AirQualityObserved`. */
  readonly ngsiType?: string;
}

export const RULE_OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];
export const SEVERITIES = ['info', 'minor', 'moderate', 'severe', 'extreme'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Functions of a sliding window of a property's observations, by observation time. */
export const RULE_AGGREGATES = ['mean', 'max', 'min', 'count'] as const;
export type RuleAggregate = (typeof RULE_AGGREGATES)[number];
/** The time unit a rate of change is expressed in. */
export const RATE_UNITS = ['minute', 'hour'] as const;
export type RateUnit = (typeof RATE_UNITS)[number];
/** The kinds of a rule condition. */
export const RULE_CONDITION_KINDS = ['value', 'rate', 'aggregate', 'absent', 'and', 'or', 'not'] as const;
export type RuleConditionKind = (typeof RULE_CONDITION_KINDS)[number];

/**
 * A comparison with a threshold, and its hysteresis: an alert raised on `operator threshold`
 * holds while the value still compares the same way with `clearThreshold` (default: the
 * threshold), so a value hovering at the threshold does not clear and raise again. The clear
 * level lies on the clearing side: at or below the threshold for `>`/`>=`, at or above it for
 * `<`/`<=`; `==` and `!=` take none, nor does a comparison under `not`
 * (docs/perception.md#rule-semantics).
 */
export interface RuleComparison {
  readonly operator: RuleOperator;
  readonly threshold: number;
  readonly clearThreshold?: number;
}

/** The latest value of a datastream or derived property, compared with a threshold. */
export interface ValueCondition extends RuleComparison {
  readonly kind: 'value';
  readonly property: string;
}

/**
 * The rate of change of a property over a sliding window by observation time: (last − first)
 * of the window's observations divided by the time between them, per minute or per hour.
 */
export interface RateCondition extends RuleComparison {
  readonly kind: 'rate';
  readonly property: string;
  readonly windowMinutes: number;
  readonly per: RateUnit;
}

/** The mean, max, min or count of a property's observations in a sliding window. */
export interface AggregateCondition extends RuleComparison {
  readonly kind: 'aggregate';
  readonly property: string;
  readonly aggregate: RuleAggregate;
  readonly windowMinutes: number;
}

/**
 * No observation of `property` (or, without it, of any property of the device) for `minutes`
 * of observation time: a silent station is itself an alert.
 */
export interface AbsenceCondition {
  readonly kind: 'absent';
  readonly property?: string;
  readonly minutes: number;
}

/** All of the conditions hold (on the same device). */
export interface AndCondition {
  readonly kind: 'and';
  readonly conditions: readonly RuleCondition[];
}

/** At least one of the conditions holds (on the same device). */
export interface OrCondition {
  readonly kind: 'or';
  readonly conditions: readonly RuleCondition[];
}

/** The condition does not hold. */
export interface NotCondition {
  readonly kind: 'not';
  readonly condition: RuleCondition;
}

/** What a rule watches on one device: comparisons, windows and absences, combined. */
export type RuleCondition =
  | ValueCondition
  | RateCondition
  | AggregateCondition
  | AbsenceCondition
  | AndCondition
  | OrCondition
  | NotCondition;

/** What every rule declares, whichever way it states its condition. */
export interface RuleDeclarationBase {
  readonly code: string;
  readonly name: LocalizedText;
  readonly sensorType: string;
  /** The condition must hold this long, without a break, before the alert is raised. */
  readonly forMinutes?: number;
  /** Once raised, the condition must have stopped holding this long before the alert clears. */
  readonly clearMinutes?: number;
  /** A gap between two observations longer than this breaks a run (default 60). */
  readonly maxGapMinutes?: number;
  readonly severity: Severity;
  /** When set, the alert opens a case of this category (of any enabled module). */
  readonly createCase?: { readonly category: string; readonly urgency?: Urgency };
}

/** A threshold rule on a sensor type's datastream or derived value. */
export interface ThresholdRuleDeclaration extends RuleDeclarationBase, RuleComparison {
  /** A datastream property or derived property of the sensor type. */
  readonly property: string;
  readonly condition?: undefined;
}

/** A rule with a composed condition (and/or/not, rates, windows, absence) on one device. */
export interface ConditionRuleDeclaration extends RuleDeclarationBase {
  readonly condition: RuleCondition;
  readonly property?: undefined;
  readonly operator?: undefined;
  readonly threshold?: undefined;
  readonly clearThreshold?: undefined;
}

/**
 * A rule on a sensor type's data: a threshold on one property, or a `condition`. Semantics
 * (runs, hysteresis, lateness): docs/perception.md#rule-semantics.
 */
export type RuleDeclaration = ThresholdRuleDeclaration | ConditionRuleDeclaration;

/** An NGSI-LD entity type the plate publishes. */
export interface EntityTypeDeclaration {
  /** Short type name, e.g. `AirQualityObserved`. */
  readonly type: string;
  /** Expanded IRI, when the type comes from FIWARE Smart Data Models. */
  readonly iri?: string;
  readonly name: LocalizedText;
  /** Smart Data Models subject, e.g. `dataModel.Environment`. */
  readonly smartDataModel?: string;
}

export const WIDGET_KINDS = ['indicator', 'trend', 'ranking', 'latest-values', 'list'] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];

/** A dashboard widget a plate offers. */
export interface WidgetDeclaration {
  readonly code: string;
  readonly name: LocalizedText;
  readonly kind: WidgetKind;
  /** What it shows: an indicator name, a sensor type property, or a category prefix. */
  readonly source: string;
}

/** A map layer a plate offers to the one screen. */
export interface MapLayerDeclaration {
  readonly code: string;
  readonly name: LocalizedText;
  readonly source: 'cases' | 'devices';
  /** Category code prefix (cases) or sensor type code (devices). */
  readonly filter: string;
  readonly color?: string;
}

/** A platform event as modules see it. */
export interface ModuleEvent {
  readonly type: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What a hook may do: log, and read the platform's public facts. */
export interface ModuleHookContext {
  readonly moduleId: string;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** Code reacting to platform events, only where data is not enough. */
export interface ModuleHooks {
  /** Event type (e.g. `case.closed`) or prefix pattern (`case.*`) → handler. */
  readonly on?: Readonly<
    Record<string, (event: ModuleEvent, ctx: ModuleHookContext) => Promise<void> | void>
  >;
}

/** The declaration a plate default-exports from `modules/<id>/index.ts`. */
export interface ModuleDefinition {
  /** Equal to the folder name; lowercase kebab-case. */
  readonly id: string;
  readonly name: LocalizedText;
  readonly description?: LocalizedText;
  /** Semantic version of the plate. */
  readonly version: string;
  readonly departments?: readonly DepartmentDeclaration[];
  readonly categories?: readonly CategoryDeclaration[];
  readonly sensorTypes?: readonly SensorTypeDeclaration[];
  readonly rules?: readonly RuleDeclaration[];
  readonly entityTypes?: readonly EntityTypeDeclaration[];
  readonly widgets?: readonly WidgetDeclaration[];
  readonly mapLayers?: readonly MapLayerDeclaration[];
  readonly hooks?: ModuleHooks;
}

/** Declares a plate. Validation happens in the registry at boot, across all plates. */
export function defineModule<const T extends ModuleDefinition>(definition: T): T {
  return definition;
}
