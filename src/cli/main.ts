import { type ParseArgsConfig, parseArgs } from "node:util";
import {
  ConfigurationError,
  CsvError,
  DataDeletionClient,
  DataDeletionError,
  type DataDeletionJob,
  DataDeletionJobFailedError,
  type DataDeletionJobSummary,
  type NamedCsvSource,
  prepareDeletionCsv,
  ServiceError,
  type Tag,
  ValidationError,
  WaiterTimeoutError,
} from "../index.ts";
import { runDemo } from "./demo.ts";
import { runEmulatorCommand } from "./emulator-command.ts";
import { HELP } from "./help.ts";
import { createOutput, duration, type Output, table } from "./output.ts";
import { fileSource } from "./users-file.ts";

/** Exit codes, as documented in --help and the README. */
export const EXIT = { ok: 0, jobFailed: 1, usage: 2, service: 3, timeout: 4 } as const;

class UsageError extends DataDeletionError {}

type Values = Record<string, string | boolean | string[] | undefined>;

const COMMON_OPTIONS = {
  region: { type: "string" },
  "endpoint-url": { type: "string" },
  "s3-endpoint-url": { type: "string" },
  "max-attempts": { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const COMMAND_OPTIONS: Record<string, ParseArgsConfig["options"]> = {
  "delete-users": {
    "users-file": { type: "string" },
    "user-ids": { type: "string" },
    headerless: { type: "boolean" },
    "s3-uri": { type: "string" },
    "dataset-group-arn": { type: "string" },
    "role-arn": { type: "string" },
    "job-name": { type: "string" },
    tag: { type: "string", multiple: true },
    wait: { type: "boolean" },
    "timeout-minutes": { type: "string" },
    "poll-interval-seconds": { type: "string" },
    "keep-uploaded-file": { type: "boolean" },
    overwrite: { type: "boolean" },
    "max-file-mb": { type: "string" },
  },
  create: {
    "job-name": { type: "string" },
    "dataset-group-arn": { type: "string" },
    "role-arn": { type: "string" },
    "data-location": { type: "string" },
    tag: { type: "string", multiple: true },
  },
  describe: { "job-arn": { type: "string" } },
  list: { "dataset-group-arn": { type: "string" }, "page-size": { type: "string" } },
  wait: {
    "job-arn": { type: "string" },
    "timeout-minutes": { type: "string" },
    "poll-interval-seconds": { type: "string" },
  },
  "validate-csv": { headerless: { type: "boolean" }, "max-file-mb": { type: "string" } },
};

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

function number(values: Values, name: string, fallback: number, min = 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || n < min) {
    throw new UsageError(`--${name} must be a number of at least ${min}, received ${JSON.stringify(raw)}`);
  }
  return n;
}

function parseTags(values: Values): Tag[] | undefined {
  const raw = values.tag as string[] | undefined;
  if (!raw) return undefined;
  return raw.map((entry) => {
    const eq = entry.indexOf("=");
    if (eq < 1) throw new UsageError(`--tag must be KEY=VALUE, received ${JSON.stringify(entry)}`);
    return { tagKey: entry.slice(0, eq), tagValue: entry.slice(eq + 1) };
  });
}

function makeClient(values: Values, output: Output): DataDeletionClient {
  return new DataDeletionClient({
    ...(values.region ? { region: values.region as string } : {}),
    ...(values["endpoint-url"] ? { endpoint: values["endpoint-url"] as string } : {}),
    ...(values["s3-endpoint-url"] ? { s3Endpoint: values["s3-endpoint-url"] as string } : {}),
    maxAttempts: number(values, "max-attempts", 3, 1),
    ...(values.debug
      ? {
          logger: {
            debug: (m: string, d?: unknown) => output.info(`debug: ${m}${d ? ` ${JSON.stringify(d)}` : ""}`),
            warn: (m: string) => output.info(`warning: ${m}`),
          },
        }
      : { logger: { warn: (m: string) => output.info(`warning: ${m}`) } }),
  });
}

function jobRows(job: DataDeletionJob): [string, string | number | undefined][] {
  return [
    ["name", job.jobName],
    ["arn", job.dataDeletionJobArn],
    ["status", job.status],
    ["dataset group", job.datasetGroupArn],
    ["data location", job.dataSource?.dataLocation],
    ["role", job.roleArn],
    ["users deleted", job.numDeleted],
    ["created", job.creationDateTime?.toISOString()],
    ["updated", job.lastUpdatedDateTime?.toISOString()],
    ["failure reason", job.failureReason],
  ];
}

function showJob(job: DataDeletionJob): string {
  return table(
    ["FIELD", "VALUE"],
    jobRows(job).filter(([, v]) => v !== undefined),
  );
}

function waitReporter(output: Output, label: string) {
  return (event: { status?: string | undefined; elapsedMs: number; error?: Error }) => {
    if (event.error) {
      output.info(`${label}: poll failed (${event.error.name}), will retry: ${event.error.message}`);
      return;
    }
    const status = event.status ?? "unknown";
    output.progress(`${label}: ${status} after ${duration(event.elapsedMs)}`, status);
  };
}

async function readUsersFile(path: string): Promise<NamedCsvSource[]> {
  if (path === "-") {
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
    return [{ source: new Blob(chunks as BlobPart[]) }];
  }
  try {
    return [await fileSource(path)];
  } catch (error) {
    throw new UsageError(`cannot read --users-file ${path}: ${(error as Error).message}`);
  }
}

const commands: Record<string, (values: Values, positionals: string[], output: Output) => Promise<number>> = {
  async "delete-users"(values, _positionals, output) {
    const file = values["users-file"] as string | undefined;
    const inline = values["user-ids"] as string | undefined;
    if (Boolean(file) === Boolean(inline))
      throw new UsageError("give exactly one of --users-file or --user-ids");
    const maxFileBytes = Math.round(number(values, "max-file-mb", 50, 0.001) * 1024 * 1024);
    const input = {
      s3Uri: required(values, "s3-uri"),
      datasetGroupArn: required(values, "dataset-group-arn"),
      roleArn: required(values, "role-arn"),
    };
    const client = makeClient(values, output);
    const users = file
      ? await prepareDeletionCsv(await readUsersFile(file), {
          maxFileBytes,
          headerless: values.headerless === true,
        })
      : (inline as string).split(/[\n,]/);
    const timeoutMs = number(values, "timeout-minutes", 1440, 0) * 60_000;
    const result = await client.deleteUsers({
      users,
      ...input,
      ...(values["job-name"] ? { jobName: values["job-name"] as string } : {}),
      ...(parseTags(values) ? { tags: parseTags(values) } : {}),
      maxFileBytes,
      keepUploadedFile: values["keep-uploaded-file"] === true,
      overwrite: values.overwrite === true,
      wait: values.wait
        ? { timeoutMs, maxDelayMs: number(values, "poll-interval-seconds", 60, 1) * 1000, minDelayMs: 5000 }
        : false,
      onProgress: (event) => {
        if (event.phase === "prepare") {
          output.info(
            `prepared ${event.userCount} user ids (${event.duplicateCount} duplicates removed, ${event.bytes} bytes, ${event.files} file${event.files > 1 ? "s" : ""})`,
          );
        } else if (event.phase === "upload") {
          output.info(
            `uploaded ${event.dataLocation}${event.created ? "" : " (identical object already there)"}`,
          );
        } else if (event.phase === "create") {
          output.info(`${event.adopted ? "adopted existing" : "created"} job ${event.dataDeletionJobArn}`);
        } else if (event.phase === "room") {
          if (event.pending >= event.limit)
            output.info(`${event.pending} jobs PENDING (limit ${event.limit}); waiting for room`);
        } else if (event.phase === "wait") {
          waitReporter(output, event.jobName)(event);
        } else if (event.phase === "cleanup") {
          output.info(`deleted the uploaded ${event.dataLocation}`);
        }
      },
    });
    output.result(result, () =>
      table(
        ["JOB", "STATUS", "USERS DELETED", "DATA LOCATION", "ARN"],
        result.jobs.map((j) => [
          j.jobName,
          j.status ?? "PENDING",
          j.numDeleted,
          j.dataLocation,
          j.dataDeletionJobArn,
        ]),
      ),
    );
    return EXIT.ok;
  },

  async create(values, _positionals, output) {
    const client = makeClient(values, output);
    const tags = parseTags(values);
    const out = await client.createDataDeletionJob({
      jobName: required(values, "job-name"),
      datasetGroupArn: required(values, "dataset-group-arn"),
      roleArn: required(values, "role-arn"),
      dataSource: { dataLocation: required(values, "data-location") },
      ...(tags ? { tags } : {}),
    });
    output.result(
      out,
      () =>
        `${out.adopted ? "existing job (same name, dataset group and data location)" : "created"}: ${out.dataDeletionJobArn}`,
    );
    return EXIT.ok;
  },

  async describe(values, positionals, output) {
    const arn = (values["job-arn"] as string | undefined) ?? positionals[0];
    if (!arn) throw new UsageError("give the job ARN");
    const { dataDeletionJob } = await makeClient(values, output).describeDataDeletionJob({
      dataDeletionJobArn: arn,
    });
    output.result(dataDeletionJob ?? {}, () => showJob(dataDeletionJob ?? {}));
    return EXIT.ok;
  },

  async list(values, _positionals, output) {
    const client = makeClient(values, output);
    const jobs: DataDeletionJobSummary[] = [];
    const dsg = values["dataset-group-arn"] as string | undefined;
    for await (const job of client.paginateDataDeletionJobs({
      ...(dsg ? { datasetGroupArn: dsg } : {}),
      pageSize: number(values, "page-size", 100, 1),
    })) {
      jobs.push(job);
    }
    output.result(jobs, () =>
      jobs.length === 0
        ? "no data deletion jobs"
        : table(
            ["NAME", "STATUS", "CREATED", "ARN"],
            jobs.map((j) => [j.jobName, j.status, j.creationDateTime?.toISOString(), j.dataDeletionJobArn]),
          ),
    );
    return EXIT.ok;
  },

  async wait(values, positionals, output) {
    const arn = (values["job-arn"] as string | undefined) ?? positionals[0];
    if (!arn) throw new UsageError("give the job ARN");
    const client = makeClient(values, output);
    const job = await client.waitForDataDeletionJob(arn, {
      timeoutMs: number(values, "timeout-minutes", 1440, 0) * 60_000,
      maxDelayMs: number(values, "poll-interval-seconds", 60, 1) * 1000,
      minDelayMs: Math.min(5000, number(values, "poll-interval-seconds", 60, 1) * 1000),
      onPoll: waitReporter(output, arn.replace(/^.*\//, "")),
    });
    output.done();
    output.result(job, () => showJob(job));
    return EXIT.ok;
  },

  async "validate-csv"(values, positionals, output) {
    const path = positionals[0];
    if (!path) throw new UsageError("give the file to check");
    const maxFileBytes = Math.round(number(values, "max-file-mb", 50, 0.001) * 1024 * 1024);
    const prepared = await prepareDeletionCsv(await readUsersFile(path), {
      headerless: values.headerless === true,
      invalidLines: "collect",
      maxFileBytes,
    });
    const report = {
      file: path,
      rows: prepared.rows,
      uniqueUserIds: prepared.userCount,
      duplicates: prepared.duplicateCount,
      invalidLines: prepared.invalid.map((e) => ({ line: e.line, message: e.message })),
      bytes: prepared.bytes,
      files: prepared.files.length,
      fitsOneJob: prepared.files.length <= 1 && prepared.invalid.length === 0,
    };
    output.result(report, () =>
      [
        table(
          ["CHECK", "RESULT"],
          [
            ["rows", report.rows],
            ["unique user ids", report.uniqueUserIds],
            ["duplicates", report.duplicates],
            ["invalid lines", report.invalidLines.length],
            ["prepared bytes", report.bytes],
            [
              "fits one job",
              report.fitsOneJob ? "yes" : `no (${report.files} files of at most ${maxFileBytes} bytes)`,
            ],
          ],
        ),
        ...report.invalidLines.slice(0, 50).map((e) => `  ${e.message}`),
      ].join("\n"),
    );
    return report.invalidLines.length > 0 ? EXIT.usage : EXIT.ok;
  },
};

function exitCodeOf(error: unknown): number {
  if (error instanceof DataDeletionJobFailedError) return EXIT.jobFailed;
  if (error instanceof WaiterTimeoutError) return EXIT.timeout;
  if (
    error instanceof ValidationError ||
    error instanceof CsvError ||
    error instanceof ConfigurationError ||
    error instanceof UsageError
  ) {
    return EXIT.usage;
  }
  return EXIT.service;
}

/** Runs the CLI with `argv` (without the runtime and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const wantsJson = rest.includes("--json");
  const output = createOutput({ json: wantsJson });
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${HELP.main}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write("personalize-data-deletion 0.1.0\n");
    return EXIT.ok;
  }
  if (!(command in HELP) || command === "main") {
    process.stderr.write(`error: unknown command ${JSON.stringify(command)}\n\n${HELP.main}\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${HELP[command]}\n`);
    return EXIT.ok;
  }
  let debug = rest.includes("--debug");
  try {
    if (command === "emulator") return await runEmulatorCommand(rest);
    if (command === "demo") return await runDemo(rest, output);
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...COMMON_OPTIONS, ...COMMAND_OPTIONS[command] },
      allowPositionals: true,
      strict: true,
    });
    debug = values.debug === true;
    const run = commands[command] as (typeof commands)[string];
    return await run(values as Values, positionals, output);
  } catch (error) {
    output.done();
    const code = exitCodeOf(error);
    const requestId =
      error instanceof ServiceError && error.requestId ? ` (request id ${error.requestId})` : "";
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}${requestId}\n`);
    if (code === EXIT.timeout && error instanceof WaiterTimeoutError) {
      process.stderr.write(`check later: personalize-data-deletion wait ${error.dataDeletionJobArn}\n`);
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`run 'personalize-data-deletion ${command} --help' for its options\n`);
      return EXIT.usage;
    }
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return code;
  }
}
