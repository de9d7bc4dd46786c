// Routing and exit codes: which command runs, with which flags, and how an error ends the process.

import { DatasetGroupBusyError, ErasureWaitTimeoutError } from "../erasure/index.ts";
import {
  ConfigurationError,
  DataDeletionError,
  lookup,
  RoomTimeoutError,
  retell,
  ServiceError,
  ValidationError,
  WaiterTimeoutError,
} from "../index.ts";
import * as create from "./commands/create.ts";
import * as deleteUsers from "./commands/delete-users.ts";
import * as demo from "./commands/demo.ts";
import * as describe from "./commands/describe.ts";
import * as emulator from "./commands/emulator.ts";
import * as guardImport from "./commands/guard-import.ts";
import * as list from "./commands/list.ts";
import * as scan from "./commands/scan.ts";
import * as scrub from "./commands/scrub.ts";
import * as status from "./commands/status.ts";
import * as validateCsv from "./commands/validate-csv.ts";
import * as wait from "./commands/wait.ts";
import { EXIT, exitCodeOf } from "./exit.ts";
import { HELP } from "./help.ts";
import { type Flags, fieldNames, type Parsed, parseOptions, UsageError } from "./options.ts";
import { createOutput, type Output } from "./output.ts";
import { sameTarget, statusCommand } from "./receipt.ts";
import { VERSION } from "./version.ts";

export { EXIT } from "./exit.ts";

interface Command {
  flags: Flags;
  run(parsed: Parsed, output: Output): Promise<number>;
}

/** Every command, by the name it is run with. */
export const COMMANDS: Record<string, Command> = {
  "delete-users": deleteUsers,
  create,
  describe,
  list,
  wait,
  status,
  "validate-csv": validateCsv,
  scan,
  scrub,
  "guard-import": guardImport,
  emulator,
  demo,
};

/** Runs the CLI with `argv` (without the runtime and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const output = createOutput({ json: rest.includes("--json") });
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${HELP.main}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`personalize-data-deletion ${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command ${JSON.stringify(name)}\n\n${HELP.main}\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${HELP[name]}\n`);
    return EXIT.ok;
  }
  const debug = rest.includes("--debug");
  let values: Parsed["values"] = {};
  try {
    const parsed = parseOptions(rest, command.flags, name);
    values = parsed.values;
    return await command.run(parsed, output);
  } catch (error) {
    output.done();
    const code = exitCodeOf(error);
    const names = fieldNames(command.flags);
    // A credential provider's own words say why it found nothing (no profile, an expired SSO session).
    const cause =
      error instanceof ConfigurationError && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    const message = `${retell(error, names)}${cause}`;
    const requestId = error instanceof ServiceError ? error.requestId : undefined;
    process.stderr.write(`error: ${message}${requestId ? ` (request id ${requestId})` : ""}\n`);
    const hint = nextStep(error, name, values);
    if (hint) process.stderr.write(`${hint}\n`);
    if (output.json) {
      const field = error instanceof ValidationError ? error.issues[0]?.path : undefined;
      const document = {
        error: {
          name: error instanceof Error ? error.name : "Error",
          message,
          ...(field ? { field, flag: lookup(names, field)?.name } : {}),
          ...(requestId ? { requestId } : {}),
          exitCode: code,
        },
        ...(partialOf(error, output) === undefined ? {} : { partial: partialOf(error, output) }),
      };
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    }
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return code;
  }
}

// What the command had done: what the library says it did (`error.partial`), or what the command kept.
function partialOf(error: unknown, output: Output): unknown {
  return (error instanceof DataDeletionError ? error.partial : undefined) ?? output.partial;
}

/** What to do next, after errors that leave something to do. */
function nextStep(error: unknown, command: string, values: Parsed["values"]): string | undefined {
  // The same region and endpoint, so the command works as given.
  const flags = sameTarget(values);
  if (
    command === "delete-users" &&
    (error instanceof WaiterTimeoutError || error instanceof ErasureWaitTimeoutError)
  ) {
    const jobName = error.partial?.receipt?.jobName ?? String(values["job-name"]);
    const erasure = { datasetGroupArn: String(values["dataset-group-arn"]), jobName };
    return `it goes on: run the same command again to carry on, or see where it stands with\n  ${statusCommand(erasure, values.retrain === true, flags)}`;
  }
  if (error instanceof WaiterTimeoutError) {
    return `check later: personalize-data-deletion wait ${error.dataDeletionJobArn}${flags}`;
  }
  if (error instanceof DatasetGroupBusyError) {
    return "run it again once they are done, or use --if-busy wait";
  }
  if (error instanceof RoomTimeoutError)
    return "nothing of that job was made; run the same command again to carry on";
  if (error instanceof UsageError) return `run 'personalize-data-deletion ${command} --help' for its options`;
  return undefined;
}
