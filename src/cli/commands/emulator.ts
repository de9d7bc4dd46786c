import { readFileSync } from "node:fs";
import { EMULATOR_DEFAULTS } from "../../emulator/defaults.ts";
import { startEmulator } from "../../emulator/node-server.ts";
import { parseSeed } from "../../emulator/personalize/input.ts";
import { EXIT } from "../exit.ts";
import { type Flags, numeric, type Parsed, required, text, UsageError } from "../options.ts";

export const flags: Flags = {
  host: { type: "string" },
  port: { type: "string" },
  region: { type: "string" },
  "access-key-id": { type: "string" },
  "secret-access-key": { type: "string" },
  "job-seconds": { type: "string" },
  "training-seconds": { type: "string" },
  "campaign-seconds": { type: "string" },
  seed: { type: "string" },
  "outside-data": { type: "boolean" },
  "data-dir": { type: "string" },
  "fail-rate": { type: "string" },
  "throttle-rate": { type: "string" },
  "reset-rate": { type: "string" },
  "drop-response-rate": { type: "string" },
  "latency-ms": { type: "string" },
  "seed-random": { type: "string" },
  "s3-endpoint": { type: "string" },
  "s3-access-key-id": { type: "string" },
  "s3-secret-access-key": { type: "string" },
  "s3-region": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const rate = (values: Parsed["values"], name: string) =>
  values[name] === undefined ? undefined : numeric(values, name, { fallback: 0, min: 0, max: 1 });

function seedRows(path: string) {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read --seed ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return parseSeed(text);
  } catch (error) {
    throw new UsageError(`--seed ${path}: ${(error as Error).message}`);
  }
}

// Addresses only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped) and the name localhost.
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return (
    bare === "localhost" ||
    bare === "::1" ||
    /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare) ||
    /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(bare)
  );
}

/** `emulator`: runs until SIGINT or SIGTERM. */
export async function run({ values }: Parsed): Promise<number> {
  const whole = (name: string, fallback: number, max?: number) =>
    numeric(values, name, { fallback, min: 0, integer: true, ...(max === undefined ? {} : { max }) });
  const faults = {
    failRate: rate(values, "fail-rate"),
    throttleRate: rate(values, "throttle-rate"),
    resetRate: rate(values, "reset-rate"),
    dropResponseRate: rate(values, "drop-response-rate"),
    latencyMs: whole("latency-ms", 0),
    seed: whole("seed-random", 1),
  };
  const total = [faults.failRate, faults.throttleRate, faults.resetRate, faults.dropResponseRate].reduce(
    (a: number, b) => a + (b ?? 0),
    0,
  );
  if (total > 1) throw new UsageError(`the fault rates add up to ${total}, more than 1`);
  const region = text(values, "region") ?? EMULATOR_DEFAULTS.region;
  const seedPath = text(values, "seed");
  const s3Endpoint = text(values, "s3-endpoint");
  if (s3Endpoint !== undefined && !/^https?:\/\/./.test(s3Endpoint)) {
    throw new UsageError(`--s3-endpoint must be an http(s) URL, received ${JSON.stringify(s3Endpoint)}`);
  }
  const externalS3 = s3Endpoint && {
    endpoint: s3Endpoint,
    accessKeyId: required(values, "s3-access-key-id", "the key of the server at --s3-endpoint"),
    secretAccessKey: required(values, "s3-secret-access-key", "the secret of the server at --s3-endpoint"),
    region: text(values, "s3-region"),
  };
  const dataDir = text(values, "data-dir");
  const host = text(values, "host") ?? EMULATOR_DEFAULTS.host;
  const running = await startEmulator({
    host,
    port: whole("port", EMULATOR_DEFAULTS.port, 65535),
    region,
    accessKeyId: text(values, "access-key-id") ?? EMULATOR_DEFAULTS.accessKeyId,
    secretAccessKey: text(values, "secret-access-key") ?? EMULATOR_DEFAULTS.secretAccessKey,
    jobSeconds: whole("job-seconds", EMULATOR_DEFAULTS.jobSeconds),
    trainingSeconds: whole("training-seconds", EMULATOR_DEFAULTS.trainingSeconds),
    campaignSeconds: whole("campaign-seconds", EMULATOR_DEFAULTS.campaignSeconds),
    ...(seedPath ? { seed: seedRows(seedPath) } : {}),
    ...(values["outside-data"] === true ? { outsideData: true } : {}),
    ...(dataDir ? { dataDir } : {}),
    ...(externalS3 ? { externalS3 } : {}),
    faults,
  });
  const facts = {
    endpoint: running.endpoint,
    ...(s3Endpoint ? { deletionFilesFrom: s3Endpoint } : {}),
    datasetGroupArns: [running.emulator.datasetGroupArn],
    bucket: `s3://${running.emulator.bucket}/`,
    region,
  };
  if (!isLoopback(host)) {
    process.stderr.write(
      `warning: --host ${host} is not a loopback address: anyone who can reach this machine on port ${running.port} can use the emulator with the configured keys (--access-key-id, --secret-access-key), read its files and delete its users; the default keys are public, and requests travel unencrypted\n`,
    );
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(facts)}\n`);
  } else {
    process.stdout.write(
      `endpoint: ${facts.endpoint}\ndataset group: ${facts.datasetGroupArns[0]}\nbucket: ${facts.bucket}\nregion: ${facts.region}\n`,
    );
    process.stderr.write(
      `credentials: the --access-key-id and --secret-access-key given (default ${EMULATOR_DEFAULTS.accessKeyId} / ${EMULATOR_DEFAULTS.secretAccessKey}); Ctrl-C stops\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  return EXIT.ok;
}
