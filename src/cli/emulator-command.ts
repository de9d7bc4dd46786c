import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startEmulator } from "../emulator/node-server.ts";
import { parseSeed } from "../emulator/state.ts";

function rate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1))
    throw new Error(`--${name} must be a fraction from 0 to 1, received ${JSON.stringify(value)}`);
  return n;
}

function whole(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a whole number, received ${JSON.stringify(value)}`);
  return n;
}

/** `personalize-data-deletion emulator`: runs until SIGINT or SIGTERM. */
export async function runEmulatorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      region: { type: "string" },
      "access-key-id": { type: "string" },
      "secret-access-key": { type: "string" },
      "job-seconds": { type: "string" },
      seed: { type: "string" },
      "data-dir": { type: "string" },
      "fail-rate": { type: "string" },
      "throttle-rate": { type: "string" },
      "reset-rate": { type: "string" },
      "drop-response-rate": { type: "string" },
      "latency-ms": { type: "string" },
      "seed-random": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const faults = {
    failRate: rate(values["fail-rate"], "fail-rate"),
    throttleRate: rate(values["throttle-rate"], "throttle-rate"),
    resetRate: rate(values["reset-rate"], "reset-rate"),
    dropResponseRate: rate(values["drop-response-rate"], "drop-response-rate"),
    latencyMs: whole(values["latency-ms"], "latency-ms", 0),
    seed: whole(values["seed-random"], "seed-random", 1),
  };
  const running = await startEmulator({
    host: values.host ?? "127.0.0.1",
    port: whole(values.port, "port", 4566),
    region: values.region ?? "us-east-1",
    accessKeyId: values["access-key-id"] ?? "test",
    secretAccessKey: values["secret-access-key"] ?? "test",
    jobSeconds: whole(values["job-seconds"], "job-seconds", 5),
    ...(values.seed ? { seed: parseSeed(readFileSync(values.seed, "utf8")) } : {}),
    ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
    faults,
  });
  const facts = {
    endpoint: running.endpoint,
    datasetGroupArns: [running.emulator.datasetGroupArn],
    bucket: `s3://${running.emulator.bucket}/`,
    region: values.region ?? "us-east-1",
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(facts)}\n`);
  } else {
    process.stdout.write(
      `endpoint: ${facts.endpoint}\ndataset group: ${facts.datasetGroupArns[0]}\nbucket: ${facts.bucket}\nregion: ${facts.region}\n`,
    );
    process.stderr.write(
      "credentials: the --access-key-id and --secret-access-key given (default test / test); Ctrl-C stops\n",
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  return 0;
}
