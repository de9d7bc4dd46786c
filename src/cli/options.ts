// The one option parser of every command: flags in, typed values out, and every mistake a UsageError that
// names the flag, the rule and what was received.
import { DataDeletionError, type FieldNames, RULES_IN_WORDS } from "../index.ts";

/** A mistake on the command line: exit code 2. */
export class UsageError extends DataDeletionError {}

/** One flag of a command. */
export interface Flag {
  type: "string" | "boolean";
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  short?: string;
  /** The library field(s) the flag becomes, so the library's errors can be told in the flag's name. */
  field?: string | string[];
  /** The rule in words, where the library's is a bare regular expression. */
  pattern?: string;
}

export type Flags = Record<string, Flag>;

/** Every field the flags become, named by its flag: the one mapping errors are retold with. */
export function fieldNames(flags: Flags): FieldNames {
  const names: FieldNames = {};
  for (const [flag, { field, pattern }] of Object.entries(flags)) {
    for (const path of field === undefined ? [] : [field].flat()) {
      names[path] = { name: `--${flag}`, ...(pattern ? { pattern } : {}) };
    }
  }
  return names;
}

/** The rules in words of flags that take a job name or a role ARN. */
export const JOB_NAME: string = RULES_IN_WORDS.Name;
export const ROLE_ARN: string = RULES_IN_WORDS.RoleArn;

/** What the parser read: each flag's value by its name (without `--`), and the other arguments. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** The flags every command that talks to AWS takes. */
export const COMMON_FLAGS: Flags = {
  region: { type: "string", field: "region" },
  profile: { type: "string" },
  "endpoint-url": { type: "string", field: "endpoint" },
  "s3-endpoint-url": { type: "string", field: "s3Endpoint" },
  "max-attempts": { type: "string", field: "maxAttempts" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

// Edit distance, for "did you mean": a typo of one or two characters finds its flag.
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function unknown(flag: string, flags: Flags, command: string): UsageError {
  const names = Object.keys(flags);
  const nearest = names.map((name) => [name, distance(flag, name)] as const).sort((x, y) => x[1] - y[1])[0];
  const hint =
    nearest && nearest[1] <= Math.max(2, Math.floor(flag.length / 3)) ? ` Did you mean --${nearest[0]}?` : "";
  return new UsageError(
    `unknown option --${flag} for ${command}.${hint} Its options: ${names.map((n) => `--${n}`).join(", ")}`,
  );
}

/** Parses `args` against `flags`: `--name value`, `--name=value`, `-h`, booleans, repeats, and `--`. */
export function parseOptions(args: string[], flags: Flags, command: string): Parsed {
  const values: Parsed["values"] = {};
  const positionals: string[] = [];
  const shorts = new Map(
    Object.entries(flags).flatMap(([name, flag]) => (flag.short ? [[flag.short, name] as const] : [])),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const eq = arg.indexOf("=");
    const written = long ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1);
    const name = long ? written : shorts.get(written);
    const flag = name === undefined ? undefined : flags[name];
    if (name === undefined || !flag) throw unknown(written, flags, command);
    let value: string | boolean;
    if (flag.type === "boolean") {
      if (long && eq !== -1)
        throw new UsageError(`--${name} takes no value, received ${JSON.stringify(arg)}`);
      value = true;
    } else if (long && eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    if (flag.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value as string];
    else if (values[name] !== undefined && flag.type === "string")
      throw new UsageError(`--${name} was given twice`);
    else values[name] = value;
  }
  return { values, positionals };
}

/** A string flag's value, or `undefined` when not given (an empty value is an error naming the flag). */
export function text(values: Parsed["values"], name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} needs a value`);
  return value.trim();
}

/** A required string flag. */
export function required(values: Parsed["values"], name: string, what = ""): string {
  const value = text(values, name);
  if (value === undefined) throw new UsageError(`--${name} is required${what ? ` (${what})` : ""}`);
  return value;
}

/** A number flag: `fallback` when not given; else within `min`..`max` (and whole when `integer`). */
export function numeric(
  values: Parsed["values"],
  name: string,
  rule: { fallback: number; min: number; max?: number; integer?: boolean },
): number {
  const raw = values[name];
  if (raw === undefined) return rule.fallback;
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  const { min, max, integer } = rule;
  if (!Number.isFinite(n) || n < min || (max !== undefined && n > max) || (integer && !Number.isInteger(n))) {
    const kind = integer ? "a whole number" : "a number";
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be ${kind} ${range}, received ${JSON.stringify(raw)}`);
  }
  return n;
}
