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
export { parseSeed } from "./personalize/input.ts";
export { sampleInteractions } from "./personalize/seed.ts";
export type { Snapshot } from "./state.ts";
export type { EmulatorJob, InteractionRow } from "./state-types.ts";
