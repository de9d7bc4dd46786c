// Routing and exit codes: which command runs, with which flags, and how an error ends the process.
import { ServiceError, WaiterTimeoutError } from "../index.ts";
import * as create from "./commands/create.ts";
import * as deleteUsers from "./commands/delete-users.ts";
import * as demo from "./commands/demo.ts";
import * as describe from "./commands/describe.ts";
import * as emulator from "./commands/emulator.ts";
import * as list from "./commands/list.ts";
import * as validateCsv from "./commands/validate-csv.ts";
import * as wait from "./commands/wait.ts";
import { EXIT, exitCodeOf } from "./exit.ts";
import { HELP } from "./help.ts";
import { type Flags, type Parsed, parseOptions, UsageError } from "./options.ts";
import { createOutput, type Output } from "./output.ts";
import { VERSION } from "./version.ts";

export { EXIT } from "./exit.ts";

interface Command {
  flags: Flags;
  run(parsed: Parsed, output: Output): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  "delete-users": deleteUsers,
  create,
  describe,
  list,
  wait,
  "validate-csv": validateCsv,
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
  try {
    return await command.run(parseOptions(rest, command.flags, name), output);
  } catch (error) {
    output.done();
    const code = exitCodeOf(error);
    const requestId =
      error instanceof ServiceError && error.requestId ? ` (request id ${error.requestId})` : "";
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}${requestId}\n`);
    if (error instanceof WaiterTimeoutError) {
      process.stderr.write(`check later: personalize-data-deletion wait ${error.dataDeletionJobArn}\n`);
    }
    if (error instanceof UsageError) {
      process.stderr.write(`run 'personalize-data-deletion ${name} --help' for its options\n`);
    }
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return code;
  }
}
