/**
 * The public face for plates: `import { defineModule } from '#sdk'`. Modules import
 * nothing else from the platform.
 */
export * from './modules/module-sdk.ts';
