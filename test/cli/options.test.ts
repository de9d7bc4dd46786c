// The CLI's one option parser and the readers built on it, on their own.
import { describe, expect, test } from "bun:test";
import { waitOptions } from "../../src/cli/client.ts";
import { type Flags, numeric, parseOptions, required, UsageError } from "../../src/cli/options.ts";

const FLAGS: Flags = {
  "page-size": { type: "string" },
  tag: { type: "string", multiple: true },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const fails = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError");
};

describe("parseOptions", () => {
  test("--name value, --name=value, booleans, short flags, repeats, positionals and --", () => {
    const parsed = parseOptions(
      ["arn:x", "--page-size", "5", "--tag=a=1", "--tag", "b=2", "--json", "-h", "--", "--not-a-flag"],
      FLAGS,
      "list",
    );
    expect(parsed.values).toEqual({ "page-size": "5", tag: ["a=1", "b=2"], json: true, help: true });
    expect(parsed.positionals).toEqual(["arn:x", "--not-a-flag"]);
  });
  test("mistakes name the flag", () => {
    expect(fails(() => parseOptions(["--page-size"], FLAGS, "list"))).toBe("--page-size needs a value");
    expect(fails(() => parseOptions(["--page-size", "--json"], FLAGS, "list"))).toBe(
      "--page-size needs a value",
    );
    expect(fails(() => parseOptions(["--json=yes"], FLAGS, "list"))).toContain("--json takes no value");
    expect(fails(() => parseOptions(["--page-size", "1", "--page-size", "2"], FLAGS, "list"))).toBe(
      "--page-size was given twice",
    );
    expect(fails(() => parseOptions(["--jsno"], FLAGS, "list"))).toBe(
      "unknown option --jsno for list. Did you mean --json? Its options: --page-size, --tag, --json, --help",
    );
    expect(fails(() => parseOptions(["--zzzzzzzzzz"], FLAGS, "list"))).not.toContain("Did you mean");
    expect(fails(() => parseOptions(["-x"], FLAGS, "list"))).toContain("unknown option --x");
  });
});

describe("readers", () => {
  test("numeric: fallback, bounds, whole numbers, and what was received", () => {
    expect(numeric({}, "n", { fallback: 7, min: 1 })).toBe(7);
    expect(numeric({ n: "2.5" }, "n", { fallback: 7, min: 1 })).toBe(2.5);
    expect(fails(() => numeric({ n: "2.5" }, "n", { fallback: 7, min: 1, integer: true }))).toBe(
      '--n must be a whole number of at least 1, received "2.5"',
    );
    expect(fails(() => numeric({ n: "" }, "n", { fallback: 7, min: 1, max: 9 }))).toBe(
      '--n must be a number from 1 to 9, received ""',
    );
    expect(fails(() => numeric({ n: "Infinity" }, "n", { fallback: 7, min: 1 }))).toContain("--n must be");
  });
  test("required names the flag", () => {
    expect(fails(() => required({}, "role-arn"))).toBe("--role-arn is required");
    expect(required({ "role-arn": " arn:x " }, "role-arn")).toBe("arn:x");
  });
  test("waitOptions: --poll-interval-seconds is the longest pause, and the core derives the first", () => {
    expect(waitOptions({ "poll-interval-seconds": "2" })).toEqual({
      timeoutMs: 1440 * 60_000,
      maxDelayMs: 2000,
    });
    expect(waitOptions({ "timeout-minutes": "30" })).toEqual({ timeoutMs: 30 * 60_000, maxDelayMs: 60_000 });
  });
});

describe("--help matches the code", () => {
  test("every command's help lists each of its flags, no flag it lacks, and an example", async () => {
    const { COMMANDS } = await import("../../src/cli/main.ts");
    const { HELP } = await import("../../src/cli/help.ts");
    for (const [name, command] of Object.entries(COMMANDS)) {
      const help = HELP[name] as string;
      const documented = new Set([...help.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]));
      for (const flag of Object.keys(command.flags)) {
        expect({ name, flag, documented: documented.has(flag) }).toEqual({ name, flag, documented: true });
      }
      for (const flag of documented) {
        expect({ name, flag, known: (flag as string) in command.flags }).toEqual({ name, flag, known: true });
      }
      expect({ name, example: /Examples?:/.test(help) }).toEqual({ name, example: true });
    }
  });
});
