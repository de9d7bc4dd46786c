// `emulator --outside-data`: the sample's users also live outside Personalize, as AWS's guide warns they do
// (an import's source file, batch inference and segment files, an export), read back with the AWS SDK.
// Run as users run it: the CLI's emulator in a child process.
import { expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

const ROOT = new URL("../../", import.meta.url).pathname;

async function withEmulator(args: string[], use: (endpoint: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, "src/cli/bin.ts"), "emulator", "--port", "0", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "" },
  });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error("the emulator never started")), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d;
        const found = /endpoint: (http:\/\/\S+)/.exec(stdout)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    await use(endpoint);
  } finally {
    child.kill("SIGTERM");
  }
}

const keysIn = async (endpoint: string): Promise<string[] | undefined> => {
  const s3 = new S3Client({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
  });
  try {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: "emulator-data" }));
    return (out.Contents ?? []).map((o) => o.Key as string);
  } catch {
    return undefined;
  }
};

test("--outside-data seeds the import's source, batch files and an export; without it there is no such bucket", async () => {
  await withEmulator(["--outside-data"], async (endpoint) => {
    const keys = (await keysIn(endpoint)) ?? [];
    expect(keys.some((k) => k.endsWith("interactions.csv"))).toBe(true);
    expect(keys.some((k) => k.endsWith(".out"))).toBe(true);
    expect(keys.some((k) => k.endsWith(".csv") && !k.endsWith("interactions.csv"))).toBe(true);
  });
  await withEmulator([], async (endpoint) => {
    expect(await keysIn(endpoint)).toBeUndefined();
  });
});
