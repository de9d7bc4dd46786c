// examples/bun-script and examples/deno-script, run as their users would against the emulator.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

test("deno-script runs from its folder under Deno, offline, with only the permissions it names", async () => {
  const file = join(TMP, "deno-users.csv");
  writeFileSync(file, "USER_ID\nuser-033\n");
  const deno = join(ROOT, "node_modules/.bin/deno");
  const folder = join(ROOT, "examples/deno-script");
  // An empty cache with --cached-only: a remote import (jsr:, npm:, https:) would have to be downloaded
  // and fails, so passing proves the example needs nothing but the repository.
  const env = { ...emulatorEnv(emu, "scripts"), DENO_DIR: join(TMP, "empty-deno-cache") };
  const info = await runProcess([deno, "info", "--json", "delete-users.ts"], { cwd: folder, env });
  const graph = JSON.parse(info.stdout) as { modules: { specifier: string }[] };
  expect(graph.modules.length).toBeGreaterThan(10);
  expect(graph.modules.map((m) => m.specifier).filter((s) => !s.startsWith("file://"))).toEqual([]);
  const command = /^\/\/ {3}cd examples\/deno-script && (deno run .*) users\.csv$/m.exec(
    readFileSync(join(folder, "delete-users.ts"), "utf8"),
  )?.[1];
  expect(command).toBe("deno run --allow-net --allow-env --allow-read delete-users.ts");
  const [, , ...flags] = (command as string).split(" ");
  const { stdout, stderr, code } = await runProcess(
    [
      deno,
      "run",
      "--cached-only",
      ...flags.map((f) => (f === "--allow-net" ? "--allow-net=127.0.0.1" : f)),
      file,
    ],
    { cwd: folder, env },
  );
  expect(stderr).toContain("1 unique user id, 0 duplicates removed");
  expect(code).toBe(0);
  expect(stdout).toMatch(/COMPLETED numDeleted=3/);
  expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-033");
});

test("deno-script names each permission it needs: without --allow-env it stops before any request", async () => {
  const file = join(TMP, "deno-users-noenv.csv");
  writeFileSync(file, "USER_ID\nuser-034\n");
  const deno = join(ROOT, "node_modules/.bin/deno");
  const { stderr, code } = await runProcess(
    [
      deno,
      "run",
      "--cached-only",
      "--no-prompt",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "delete-users.ts",
      file,
    ],
    { cwd: join(ROOT, "examples/deno-script"), env: emulatorEnv(emu, "scripts") },
  );
  expect(code).not.toBe(0);
  expect(stderr).toContain("--allow-env");
  expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).toContain("user-034");
});
