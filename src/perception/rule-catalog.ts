/** The rules of this app's enabled plates, ready for the evaluator, by sensor type and code. */
import type { LocalizedText, ModuleRegistry } from '../kernel/index.ts';
import { type PerceptionRule, ruleFromDeclaration } from './rules/index.ts';

/** A rule with the plate that declares it and its name. */
export interface CatalogRule extends PerceptionRule {
  readonly moduleId: string;
  readonly name: LocalizedText;
}

export interface RuleCatalog {
  /** The rules of a sensor type, in declaration order (empty when it has none). */
  ofSensorType(sensorType: string): readonly CatalogRule[];
  rule(code: string): CatalogRule | undefined;
  /** Sensor types with at least one rule. */
  readonly sensorTypes: readonly string[];
}

/** Reads the plates' rule declarations once (plates do not change while the app runs). */
export function ruleCatalog(modules: ModuleRegistry): RuleCatalog {
  const bySensorType = new Map<string, CatalogRule[]>();
  const byCode = new Map<string, CatalogRule>();
  for (const m of modules.modules)
    for (const declaration of m.rules ?? []) {
      const rule: CatalogRule = {
        ...ruleFromDeclaration(declaration),
        moduleId: m.id,
        name: declaration.name,
      };
      byCode.set(rule.code, rule);
      const list = bySensorType.get(rule.sensorType) ?? [];
      list.push(rule);
      bySensorType.set(rule.sensorType, list);
    }
  return {
    ofSensorType: (sensorType) => bySensorType.get(sensorType) ?? [],
    rule: (code) => byCode.get(code),
    sensorTypes: [...bySensorType.keys()],
  };
}
