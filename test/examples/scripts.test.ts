// examples/bun-script and examples/deno-script, run as their users would against the emulator.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { emulatorEnv } from "../support/emulator-env.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = join(ROOT, ".tmp", `scripts-${process.pid}`);
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 1 });
  mkdirSync(TMP, { recursive: true });
});
afterAll(() => emu.close());

async function run(cmd: string[], file: string) {
  const { stdout, stderr, code } = await runProcess([...cmd, file], {
    cwd: ROOT,
    env: emulatorEnv(emu, "scripts"),
  });
  return { stdout, stderr, code };
}

test("bun-script deletes the users in a file and waits", async () => {
  const file = join(TMP, "bun-users.txt");
  writeFileSync(file, "user-031\nuser-032\nuser-031\n");
  const { stdout, stderr, code } = await run(
    [process.execPath, join(ROOT, "examples/bun-script/delete-users.ts")],
    file,
  );
  expect(code).toBe(0);
  expect(stderr).toContain("2 unique user ids, 1 duplicate removed");
  expect(stdout).toMatch(/COMPLETED numDeleted=6/);
  const left = emu.emulator.state.users(emu.emulator.datasetGroupArn) ?? [];
  expect(left).not.toContain("user-031");
  expect(left).not.toContain("user-032");
});

test("deno-script does the same under Deno (offline import map instead of jsr:)", async () => {
  const file = join(TMP, "deno-users.csv");
  writeFileSync(file, "USER_ID\nuser-033\n");
  const deno = join(ROOT, "node_modules/.bin/deno");
  const { stdout, stderr, code } = await run(
    [
      deno,
      "run",
      "--cached-only",
      "--allow-read",
      "--allow-env",
      "--allow-net=127.0.0.1",
      "--config",
      join(ROOT, "test/runtimes/deno/deno.json"),
      join(ROOT, "examples/deno-script/delete-users.ts"),
    ],
    file,
  );
  expect(stderr).toContain("1 unique user id, 0 duplicates removed");
  expect(code).toBe(0);
  expect(stdout).toMatch(/COMPLETED numDeleted=3/);
  expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-033");
});
