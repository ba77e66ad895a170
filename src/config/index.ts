/** vigil.yaml: loading, validation, the example file and the JSON Schema. */
export { loadConfig, resolveConfigPath, secretValues } from './load.js';
export { exampleConfigPath, readExampleConfig, writeExampleConfig } from './example.js';
export { configJsonSchema, configJsonSchemaText } from './json-schema.js';
export { configSchema } from './schema.js';
export type { VigilConfig, NodeConfig, HttpCheckConfig, LogLevel, ConfirmationMode } from './types.js';
export { LOG_LEVELS, CONFIRMATION_MODES } from './types.js';
