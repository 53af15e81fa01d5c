/**
 * Perception: rules on sensor data → alerts → cases (docs/perception.md). Built so far: the
 * rules wing, the pure rule semantics. Alerts, their storage, the API and the case link are
 * not built yet.
 */
export * from './rules/index.ts';
