// The environment a user's script sees in these tests: fake keys, the emulator as its endpoint, and its
// dataset group, bucket and a role; plus Deno's cache, so `deno run --cached-only` finds its packages.
import { join } from "node:path";
import type { RunningEmulator } from "../../src/emulator/index.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export function emulatorEnv(emu: RunningEmulator, folder: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL: emu.endpoint,
    DELETION_S3_URI: `s3://${emu.emulator.bucket}/${folder}/`,
    DATASET_GROUP_ARN: emu.emulator.datasetGroupArn,
    ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
    DENO_DIR: join(ROOT, ".tmp", "deno-cache"),
    DENO_NO_UPDATE_CHECK: "1",
  };
}
