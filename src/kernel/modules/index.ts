export {
  createModuleRegistry,
  loadModules,
  type ModuleRegistry,
  ModuleValidationError,
  type RegisteredCategory,
  type RegistryOptions,
} from './module-registry.ts';
export * from './module-sdk.ts';
