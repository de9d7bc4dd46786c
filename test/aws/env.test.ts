// The "no AWS credentials" error, as a user meets it: a script run with AWS_PROFILE set and no keys. It must
// point to awsCredentialChain, and the fix it prints must work as printed (the profile's keys sign requests
// the emulator accepts). Each case runs in its own process, since the client reads process.env.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsEnvironment, noCredentialsMessage } from "../../src/aws/env.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DIR = join(ROOT, ".tmp", `env-${process.pid}`);
let emu: RunningEmulator;
beforeAll(async () => {
  mkdirSync(DIR, { recursive: true });
  emu = await startEmulator({ port: 0, accessKeyId: "AKIDPROFILE", secretAccessKey: "profile-secret-value" });
  writeFileSync(
    join(DIR, "credentials"),
    "[shop]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret-value\n",
  );
  writeFileSync(join(DIR, "config"), "[profile shop]\nregion = us-east-1\n");
});
afterAll(async () => {
  await emu.close();
  rmSync(DIR, { recursive: true, force: true });
});

async function script(body: string, env: Record<string, string>) {
  const file = join(DIR, `script-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    file,
    `import { DataDeletionClient } from ${JSON.stringify(join(ROOT, "src/index.ts"))};\n` +
      `import { awsCredentialChain } from ${JSON.stringify(join(ROOT, "src/node/index.ts"))};\n` +
      `void awsCredentialChain;\n${body}`,
  );
  return runProcess([process.execPath, file], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: DIR,
      AWS_SHARED_CREDENTIALS_FILE: join(DIR, "credentials"),
      AWS_CONFIG_FILE: join(DIR, "config"),
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: emu.endpoint,
      ...env,
    },
  });
}

const construct = `try { new DataDeletionClient(); console.log("constructed"); } catch (e) { console.log(e.name + ": " + e.message); }`;

test("with AWS_PROFILE set and no keys, the error names the profile and awsCredentialChain of the /node entry", async () => {
  const { stdout, code } = await script(construct, { AWS_PROFILE: "shop" });
  expect(code).toBe(0);
  expect(stdout.trim()).toBe(
    'ConfigurationError: no AWS credentials: pass `credentials` or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. AWS_PROFILE is set ("shop"), and this client reads no profiles: on Node, pass `credentials: awsCredentialChain()` (import { awsCredentialChain } from "personalize-data-deletion/node"), which reads it as the AWS CLI does',
  );
});

test("without AWS_PROFILE the error says only what the core reads", async () => {
  const { stdout } = await script(construct, {});
  expect(stdout.trim()).toBe(
    "ConfigurationError: no AWS credentials: pass `credentials` or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
  );
});

test("the fix the error prints works as printed: the profile's keys sign a request the emulator accepts", async () => {
  const { stdout, stderr, code } = await script(
    `const client = new DataDeletionClient({ credentials: awsCredentialChain() });
const { dataDeletionJobs } = await client.listDataDeletionJobs({});
console.log("listed", dataDeletionJobs?.length);`,
    { AWS_PROFILE: "shop" },
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  expect(stdout.trim()).toBe("listed 0");
});

test("awsEnvironment reads AWS_PROFILE as the AWS tools do (blank is unset)", () => {
  expect(awsEnvironment({ AWS_PROFILE: "shop" }).profile).toBe("shop");
  expect(awsEnvironment({ AWS_PROFILE: "  " }).profile).toBeUndefined();
  expect(noCredentialsMessage({})).not.toContain("awsCredentialChain");
});
