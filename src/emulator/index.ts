export { EMULATOR_DEFAULTS } from "./defaults.ts";
export type { ExternalS3Options } from "./external-s3.ts";
export {
  ConnectionDropped,
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  emulatorFetch,
  type FaultOptions,
} from "./handler.ts";
export { type RunningEmulator, type StartOptions, startEmulator } from "./node-server.ts";
export {
  type EmulatorJob,
  type InteractionRow,
  parseSeed,
  type Snapshot,
  sampleInteractions,
} from "./state.ts";
