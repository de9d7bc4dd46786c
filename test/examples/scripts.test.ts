// examples/bun-script and examples/deno-script, run as their users would against the emulator; and
// examples/cloudflare-worker's package, read as npm and wrangler would read it (wrangler is not installed here).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

describe("examples/cloudflare-worker deploys as it is", () => {
  const WORKER = join(ROOT, "examples/cloudflare-worker");
  const read = (file: string) => readFileSync(join(WORKER, file), "utf8");
  interface Manifest {
    name: string;
    private?: boolean;
    engines?: { node?: string };
    scripts: Record<string, string>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  }
  const pkg = JSON.parse(read("package.json")) as Manifest;
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
  const toml = Bun.TOML.parse(read("wrangler.toml")) as {
    d1_databases: { binding: string; migrations_dir?: string }[];
    secrets: { required: string[] };
  };
  // The lowest Node the example claims (undici, which miniflare brings, needs 20.18.1).
  const lowest = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines?.node ?? "")?.[1] as string;

  test("its own private package: the library from this checkout, wrangler pinned, the root free of wrangler", () => {
    expect(pkg.private).toBe(true);
    expect(pkg.name).not.toBe(root.name);
    expect(pkg.dependencies?.["personalize-data-deletion"]).toBe("file:../..");
    expect(root.name).toBe("personalize-data-deletion");
    expect(pkg.devDependencies?.wrangler).toMatch(/^\d+\.\d+\.\d+$/);
    expect({ ...root.dependencies, ...root.devDependencies }).not.toHaveProperty("wrangler");
    expect(lowest?.startsWith("20.")).toBe(true);
  });

  test("the locked wrangler is the pinned one, and it and every package it brings accept Node 20", () => {
    const lock = JSON.parse(read("package-lock.json")) as {
      packages: Record<
        string,
        { version?: string; engines?: { node?: string }; dependencies?: Record<string, string> }
      >;
    };
    const wrangler = lock.packages["node_modules/wrangler"];
    expect(wrangler?.version).toBe(pkg.devDependencies?.wrangler as string);
    for (const node of [lowest, "20.20.2"]) {
      const refused = Object.entries(lock.packages)
        .filter(([, p]) => p.engines?.node && !Bun.semver.satisfies(node, p.engines.node))
        .map(([name, p]) => `${name || "the example"} needs node ${p.engines?.node}`);
      expect(refused).toEqual([]);
    }
    // The simulator `wrangler dev` runs is the one the Worker's tests run in.
    expect(lock.packages["node_modules/miniflare"]?.version).toBe(root.devDependencies?.miniflare as string);
    expect(wrangler?.dependencies?.miniflare).toBe(root.devDependencies?.miniflare as string);
  });

  test("dev and deploy apply the ledger's migrations (the folder wrangler.toml names) before they run", () => {
    const apply = /^wrangler d1 migrations apply (\S+) --(local|remote) && (.+)$/;
    const dev = apply.exec(pkg.scripts.dev as string);
    const deploy = apply.exec(pkg.scripts.deploy as string);
    expect([dev?.[2], dev?.[3]]).toEqual(["local", "wrangler dev --test-scheduled"]);
    expect([deploy?.[2], deploy?.[3]]).toEqual(["remote", "wrangler deploy"]);
    expect(deploy?.[1]).toBe(dev?.[1] as string);
    const database = toml.d1_databases.find((d) => d.binding === dev?.[1]);
    expect(database?.migrations_dir).toBe("migrations");
    const migrations = readdirSync(join(WORKER, database?.migrations_dir as string)).filter((f) =>
      f.endsWith(".sql"),
    );
    migrations.sort();
    expect(migrations.slice(0, 4)).toEqual([
      "0001_ledger.sql",
      "0002_window_activity.sql",
      "0003_exact_windows.sql",
      "0004_workflows.sql",
    ]);
  });

  test(".dev.vars.example names every required secret, with placeholders only, and .dev.vars stays out of git", () => {
    const lines = read(".dev.vars.example").split("\n");
    const set = lines.map((l) => /^([A-Z_]+)="(.*)"$/.exec(l)).filter((m) => m !== null);
    expect(set.map((m) => m[1])).toEqual(toml.secrets.required);
    expect(set.every((m) => (m[2] as string).startsWith("replace-with-"))).toBe(true);
    // The optional one, for SUPPRESSION, is there to uncomment; and how to make a 32-byte one is said.
    expect(lines.some((l) => /^# SUPPRESSION_KEY="replace-with-/.test(l))).toBe(true);
    expect(lines.join("\n")).toContain("openssl rand -base64 48");
    expect(read(".gitignore").split("\n")).toContain(".dev.vars");
  });
});
