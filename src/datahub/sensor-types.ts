/** The sensor types the enabled plates declare, looked up by code. */
import type { ModuleRegistry, SensorTypeDeclaration } from '../kernel/index.ts';

/** A sensor type with the plate that declares it. */
export interface RegisteredSensorType extends SensorTypeDeclaration {
  readonly moduleId: string;
}

/** Every sensor type of the enabled plates, by code. */
export function sensorTypesOf(modules: ModuleRegistry): ReadonlyMap<string, RegisteredSensorType> {
  const out = new Map<string, RegisteredSensorType>();
  for (const m of modules.modules)
    for (const s of m.sensorTypes ?? []) out.set(s.code, { ...s, moduleId: m.id });
  return out;
}
