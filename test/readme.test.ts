// The README's library example must run as written: it is extracted, pointed at the emulator through the
// environment variables it documents, and executed with Bun.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Miniflare } from "miniflare";
import { buildLibrary } from "../scripts/build.ts";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.ts";
import { emulatorEnv } from "./support/emulator-env.ts";
import { runProcess } from "./support/process.ts";
import { bundleWorker } from "./support/worker-bundle.ts";

const ROOT = new URL("../", import.meta.url).pathname;
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 1 });
});
afterAll(() => emu.close());

test("the README's library example runs against the emulator", async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Library"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const dir = join(ROOT, ".tmp", `readme-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "example.ts");
  writeFileSync(
    file,
    (code as string).replace(
      'from "personalize-data-deletion"',
      `from ${JSON.stringify(join(ROOT, "src/index.ts"))}`,
    ),
  );
  try {
    const { stdout, stderr, code } = await runProcess([process.execPath, file], {
      env: emulatorEnv(emu, "readme"),
    });
    expect(stderr).toContain("PENDING after");
    expect(stdout.trim()).toBe("COMPLETED 6");
    expect(code).toBe(0);
    expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-001");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

test("the README's complete-erasure example runs against the emulator and ends complete", async () => {
  const quick = await startEmulator({ port: 0, jobSeconds: 1, trainingSeconds: 0, campaignSeconds: 0 });
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Complete erasure"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const dir = join(ROOT, ".tmp", `readme-erasure-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "erasure.ts");
  writeFileSync(
    file,
    (code as string).replace(
      'from "personalize-data-deletion/erasure"',
      `from ${JSON.stringify(join(ROOT, "src/erasure/index.ts"))}`,
    ),
  );
  try {
    const {
      stdout,
      stderr,
      code: exit,
    } = await runProcess([process.execPath, file], {
      env: emulatorEnv(quick, "readme-erasure"),
    });
    expect(stderr.split("\n").filter(Boolean)).toEqual([
      "stage: preflight",
      "stage: upload",
      "stage: wait",
      "stage: cleanup",
      "stage: retrain",
      "stage: receipt",
    ]);
    expect(stdout.trim()).toBe("complete true");
    expect(exit).toBe(0);
    const { versions, campaigns } = quick.emulator.state.world.data();
    const served = versions.find((v) => v.solutionVersionArn === campaigns[0]?.solutionVersionArn);
    expect(served?.users).not.toContain("user-001");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await quick.close();
  }
}, 60_000);

test("the README's example past Personalize's edge scrubs the sample's S3 data and ends complete everywhere", async () => {
  const quick = await startEmulator({
    port: 0,
    jobSeconds: 0,
    trainingSeconds: 0,
    campaignSeconds: 0,
    outsideData: true,
  });
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Past Personalize's edge"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const dir = join(ROOT, ".tmp", `readme-outside-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "outside.ts");
  writeFileSync(
    file,
    (code as string).replace(
      'from "personalize-data-deletion/erasure"',
      `from ${JSON.stringify(join(ROOT, "src/erasure/index.ts"))}`,
    ),
  );
  const s3 = new S3Client({
    region: "us-east-1",
    endpoint: quick.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const source = await s3.send(
    new GetObjectCommand({ Bucket: "emulator-data", Key: "emulator-sample/interactions.csv" }),
  );
  expect(await source.Body?.transformToString()).toMatch(/\nuser-001,/);
  try {
    const { stdout, code: exit } = await runProcess([process.execPath, file], {
      env: { ...emulatorEnv(quick, "readme-outside"), MORE_LOCATIONS: "s3://emulator-data/emulator-sample/" },
    });
    expect(stdout.trim()).toBe("true true []");
    expect(exit).toBe(0);
    // The given folder holds every sample file: after the scrub none of them names the erased users.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "emulator-data" }));
    expect((listed.Contents ?? []).length).toBeGreaterThan(4);
    for (const { Key } of listed.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: "emulator-data", Key }));
      const body = await got.Body?.transformToString();
      expect(body).not.toMatch(/(^|\n)user-00[12],|"user-00[12]"/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await quick.close();
  }
}, 60_000);

describe("the README's runtime snippets run in their runtimes", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const snippet = (runtime: string) => {
    const match = new RegExp(`<!-- runtime: ${runtime} -->\\n\`\`\`(?:js|ts)\\n([\\s\\S]*?)\`\`\``).exec(
      readme,
    );
    if (!match) throw new Error(`no ${runtime} snippet in the README`);
    return match[1] as string;
  };
  const env = () => emulatorEnv(emu, "readme-runtimes");
  const dir = join(ROOT, ".tmp", `readme-runtimes-${process.pid}`);
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    await buildLibrary(join(ROOT, "dist/lib"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(cmd: string[]) {
    const { stdout, stderr, code } = await runProcess(cmd, { cwd: ROOT, env: env() });
    if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${stderr}`);
    return stdout.trim();
  }

  test("node: lists the jobs with the built package", async () => {
    const file = join(dir, "node.mjs");
    writeFileSync(file, snippet("node"));
    const before = emu.emulator.state.jobs.size;
    const lines = (await run(["node", file])).split("\n").filter(Boolean);
    expect(lines.length).toBe(before);
    expect(lines.every((l) => / (PENDING|IN_PROGRESS|COMPLETED|FAILED)$/.test(l))).toBe(true);
  });

  test("node: the Node edge streams a file into the flow", async () => {
    const file = join(dir, "node-files.mjs");
    writeFileSync(file, snippet("node-files"));
    writeFileSync(join(dir, "node-users.csv"), "USER_ID\nuser-023\n");
    expect(await run(["node", file, join(dir, "node-users.csv")])).toBe("COMPLETED");
    expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-023");
  }, 30_000);

  test("bun: deletes the users of a file", async () => {
    const file = join(dir, "bun.ts");
    writeFileSync(file, snippet("bun"));
    writeFileSync(join(dir, "bun-users.csv"), "USER_ID\nuser-021\n");
    expect(await run([process.execPath, file, join(dir, "bun-users.csv")])).toBe("COMPLETED");
    expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-021");
  }, 30_000);

  test("deno: deletes the users of a file, offline", async () => {
    const file = join(ROOT, "test/runtimes/deno", `readme-${process.pid}.ts`);
    writeFileSync(file, `declare const Deno: any;\n${snippet("deno")}`);
    writeFileSync(join(dir, "deno-users.csv"), "USER_ID\nuser-022\n");
    try {
      const deno = join(ROOT, "node_modules/.bin/deno");
      // Run with exactly the permissions the snippet's first line names (the network narrowed to the
      // emulator), so a permission it forgot fails here.
      const named = /^\/\/ deno run ((?:--allow-[a-z]+ )+)\S+\.ts/.exec(snippet("deno"))?.[1];
      expect(named?.trim().split(" ")).toEqual(["--allow-net", "--allow-env", "--allow-read"]);
      const flags = (named as string)
        .trim()
        .split(" ")
        .map((f) => (f === "--allow-net" ? "--allow-net=127.0.0.1" : f));
      const out = await run([
        deno,
        "run",
        "--cached-only",
        "--no-prompt",
        ...flags,
        "--config",
        join(ROOT, "test/runtimes/deno/deno.json"),
        file,
        join(dir, "deno-users.csv"),
      ]);
      expect(out).toBe("COMPLETED");
    } finally {
      rmSync(file, { force: true });
    }
    expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-022");
  }, 30_000);

  test("workerd: the Worker describes a job", async () => {
    const file = join(dir, "worker.ts");
    writeFileSync(file, snippet("workerd"));
    const bundle = await bundleWorker(file);
    const job = [...emu.emulator.state.jobs.values()][0];
    const arn = job?.dataDeletionJobArn as string;
    const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL } = env();
    const mf = new Miniflare({
      modules: true,
      script: bundle,
      compatibilityDate: "2026-04-01",
      bindings: { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL },
    });
    try {
      const res = await mf.dispatchFetch(`http://worker.example/?job=${encodeURIComponent(arn)}`);
      expect(await res.json()).toEqual({ status: "COMPLETED", numDeleted: job?.numDeleted });
    } finally {
      await mf.dispose();
    }
  });
});
