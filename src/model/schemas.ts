import * as v from "valibot";
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { RULES_IN_WORDS } from "../field-names.ts";
import { type operations, shapes } from "./deletion.ts";
import { type erasureClientOperations, erasureShapes } from "./erasure.ts";
import type {
  CreateDataDeletionJobInput,
  DescribeDataDeletionJobInput,
  ListDataDeletionJobsInput,
} from "./types.ts";

/** A shape of a generated model table (src/model/deletion.ts, src/model/erasure.ts). */
export interface ModelShape {
  // The only types of input shapes: scripts/gen-model.ts refuses a model with others.
  type: "string" | "integer" | "boolean" | "double" | "list" | "map" | "structure";
  min?: number;
  max?: number;
  pattern?: string;
  required?: readonly string[];
  members?: Record<string, string>;
  member?: string;
  key?: string;
  value?: string;
  enum?: readonly string[];
  sensitive?: boolean;
}

/** A table of shapes by name, as the generated models hold them. */
type Table = Record<string, ModelShape>;

/** Any valibot schema built from the model. */
export type AnySchema = v.GenericSchema;
type Check = v.GenericPipeItem<string, string>;

const model = shapes as unknown as Table;

/**
 * Rules from the Personalize developer guide that the model's loose patterns do not carry, keyed by
 * `Shape.member`. They make the client stricter than the wire (a dataset group ARN must name a dataset
 * group), so a typo fails here with a clear message instead of as a ResourceNotFoundException later.
 */
const GUIDE_RULES: Record<string, Check[]> = {
  "CreateDataDeletionJobRequest.datasetGroupArn": [arnRule("dataset-group")],
  "ListDataDeletionJobsRequest.datasetGroupArn": [arnRule("dataset-group")],
  "DescribeDataDeletionJobRequest.dataDeletionJobArn": [arnRule("data-deletion-job")],
  "DataSource.dataLocation": [
    matches(
      /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S.*$/,
      "must be s3://BUCKET/KEY or a folder s3://BUCKET/FOLDER/",
    ),
  ],
  "Tag.tagKey": [
    v.check((key: string) => !/^aws:/i.test(key), "must not start with the reserved prefix aws:"),
  ],
};

/** Members the model leaves optional but a deletion job cannot do without. */
const GUIDE_REQUIRED = new Set(["DataSource.dataLocation"]);

// A pattern as a plain check: valibot's regex action would add its own weight to every Worker bundle.
function matches(pattern: RegExp, message: string): Check {
  return v.check((value: string) => pattern.test(value), message);
}

/** A Personalize ARN of one resource type, e.g. `dataset-group`: "must be a dataset group ARN (...)". */
function arnRule(resource: string): Check {
  return matches(
    new RegExp(`^arn:[a-z\\d-]+:personalize:[a-z0-9-]+:\\d{12}:${resource}/[^/\\s]+$`),
    `must be a ${resource.replace(/-/g, " ")} ARN (arn:aws:personalize:REGION:ACCOUNT:${resource}/NAME)`,
  );
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The model's min and max as checks on a measure of the value (code points, items, the number itself).
 * Plain `v.check`s: valibot's length and value actions would add their own weight to every Worker bundle.
 */
export function bounds<T>(
  shape: ModelShape,
  measure: (value: T) => number,
  unit: string,
): v.GenericPipeItem<T, T>[] {
  const { min, max } = shape;
  const checks: v.GenericPipeItem<T, T>[] = [];
  if (min !== undefined) checks.push(v.check((x: T) => measure(x) >= min, `must be at least ${min}${unit}`));
  if (max !== undefined) checks.push(v.check((x: T) => measure(x) <= max, `must be at most ${max}${unit}`));
  return checks;
}

/** A string shape's schema: the guide's `extra` checks, then the model's bounds and pattern. */
export function stringSchema(shape: ModelShape, extra: Check[]): AnySchema {
  // Smithy measures string length in code points, not UTF-16 units.
  const checks = bounds(shape, codePointLength, " characters long");
  const { pattern } = shape;
  // The model's patterns are unanchored at the end; the service matches whole values.
  if (pattern) checks.push(matches(new RegExp(`^(?:${pattern})$`, "u"), `${PATTERN_RULE}${pattern}`));
  // The guide's rules first: they are stricter than the model's patterns and said in words.
  return v.pipe(v.string("must be a string"), ...(extra.concat(checks) as [Check])) as AnySchema;
}

/** An integer shape's schema: a whole number within the model's bounds. */
export function integerSchema(shape: ModelShape): AnySchema {
  const checks = [
    v.check(Number.isInteger, "must be a whole number"),
    ...bounds(shape, (n: number) => n, ""),
  ];
  return v.pipe(
    v.number("must be a number"),
    ...(checks as [v.GenericPipeItem<number, number>]),
  ) as AnySchema;
}

/** Builds a leaf or list shape's schema; `item` builds a shape it holds. */
type Kind = (shape: ModelShape, item: (name: string) => AnySchema) => AnySchema;

/** The kinds of shape the deletion operations' inputs reach. */
const DELETION_KINDS: Record<string, Kind> = {
  string: (shape) => stringSchema(shape, []),
  integer: integerSchema,
  list: (shape, item) =>
    v.pipe(
      v.array(item(shape.member as string), "must be an array"),
      ...(bounds(shape, (list: unknown[]) => list.length, " items long") as [
        v.GenericPipeItem<unknown[], unknown[]>,
      ]),
    ) as AnySchema,
};

/**
 * The kinds only the erasure's inputs add (UpdateCampaign's campaignConfig, CreateSolutionVersion's
 * trainingMode): given to the builder by the erasure's lookups, so a bundle that only deletes carries none.
 */
const ERASURE_KINDS: Record<string, Kind> = {
  enum: (shape) =>
    v.picklist(shape.enum as string[], `must be one of ${(shape.enum as string[]).join(", ")}`),
  boolean: () => v.boolean("must be true or false"),
  double: (shape) =>
    v.pipe(
      v.number("must be a number"),
      ...(bounds(shape, (n: number) => n, "") as [v.GenericPipeItem<number, number>]),
    ) as AnySchema,
  map: (shape, item) =>
    v.record(item(shape.key as string) as v.GenericSchema<string, string>, item(shape.value as string)),
};

/**
 * The one schema builder: shape `name` of `table`, its structures built here and every other shape by its
 * kind, from `more` or the deletion's. With `guideRules`, the developer guide's rules apply on top of the
 * model's (the client's view); without, it is exactly the model (the emulator's).
 */
function build(name: string, table: Table, guideRules: boolean, more: Record<string, Kind> = {}): AnySchema {
  const shape = table[name] as ModelShape;
  const item = (target: string) => build(target, table, guideRules, more);
  if (shape.type !== "structure") {
    const kind = shape.enum ? "enum" : shape.type;
    const make = more[kind] ?? DELETION_KINDS[kind];
    // scripts/gen-model.ts refuses a deletion input of another kind; this names a table given by mistake.
    if (!make) throw new Error(`no schema for shape ${name}: kind ${kind} is not among the builder's`);
    return make(shape, item);
  }
  const entries: Record<string, AnySchema> = {};
  for (const [member, target] of Object.entries(shape.members ?? {})) {
    // The guide's rules are all on plain strings.
    const rules = guideRules ? GUIDE_RULES[`${name}.${member}`] : undefined;
    const schema = rules ? stringSchema(table[target] as ModelShape, rules) : item(target);
    const required =
      shape.required?.includes(member) || (guideRules && GUIDE_REQUIRED.has(`${name}.${member}`));
    entries[member] = required ? schema : v.optional(schema);
  }
  return v.strictObject(entries, "must be an object with only the members the service knows");
}

// A schema states a pattern as the model has it, which the emulator repeats in AWS's own wording
// (src/emulator/wire.ts); the library's errors say it in words (RULES_IN_WORDS, found by the pattern of the
// shape it names), and keep the pattern only for one it has no words for.
const PATTERN_RULE = "must match the pattern ";

function inWords(rule: string): string {
  if (!rule.startsWith(PATTERN_RULE)) return rule;
  const pattern = rule.slice(PATTERN_RULE.length);
  for (const [shape, words] of Object.entries(RULES_IN_WORDS)) {
    if (model[shape]?.pattern === pattern) return words;
  }
  return rule;
}

/** Fields whose values must not be echoed in errors (the model marks tags `sensitive`). */
const SENSITIVE_FIELDS = new Set(["tagKey", "tagValue"]);

function render(value: unknown, key: string | undefined): string {
  if (value === undefined) return "nothing";
  if (key && SENSITIVE_FIELDS.has(key) && typeof value === "string") {
    return `a value of ${codePointLength(value)} characters (not shown: the model marks it sensitive)`;
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // Escaping non-ASCII makes unicode look-alikes (a Cyrillic "а" in a job name) visible.
  text = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function toIssue(issue: v.BaseIssue<unknown>, prefix: string): ValidationIssue {
  const keys = (issue.path ?? []).map((item) => String(item.key));
  const path = [prefix, ...keys].filter(Boolean).join(".") || "(input)";
  const last = keys[keys.length - 1];
  if (issue.kind === "schema" && issue.input === undefined && issue.expected?.startsWith('"')) {
    return { path, rule: "is required", received: "nothing" };
  }
  if (issue.type === "strict_object" && issue.expected === "never") {
    return {
      path,
      rule: "is not a member the service knows (check its spelling)",
      received: render(issue.input, last),
    };
  }
  return { path, rule: inWords(issue.message), received: render(issue.input, last) };
}

/**
 * Validates `input` against `schema` and returns it typed, or throws a {@link ValidationError} that names
 * every failing field, its rule and what was received.
 */
export function validate<T>(
  schema: v.GenericSchema<unknown, T>,
  input: unknown,
  context?: string,
  prefix = "",
): T {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw new ValidationError(
    result.issues.map((issue) => toIssue(issue, prefix)),
    context,
  );
}

/**
 * Builds the input schema of an operation from the service model. With `guideRules` (the default) the
 * developer guide's stricter rules apply too; without, it is exactly what the model says (the emulator's view).
 */
export function inputSchema(operationInputShape: string, guideRules = true): AnySchema {
  return build(operationInputShape, model, guideRules);
}

/** The input schema of any operation from a table holding its shapes, exactly as the model says (the emulator's). */
export function inputSchemaFrom(operation: string, table: Record<string, unknown>): AnySchema {
  // botocore names every Personalize input shape after its operation; test/model/model.test.ts holds it to that.
  return build(`${operation}Request`, table as Table, false, ERASURE_KINDS);
}

// Built on first use, not at import: building them all was about half the import time of the bundled client,
// and a process that only lists jobs never needs the create schema or its unicode patterns. Keyed by the
// input shape's name, which is its operation's, so the two tables never share one.
const built: Record<string, AnySchema> = {};
const once = (name: string, table: Table, more?: Record<string, Kind>) =>
  (built[name] ??= build(name, table, true, more));
const lazyInput = (name: string) => v.lazy(() => once(name, model));

/** An operation of src/model/deletion.ts (the data-deletion operations and ListTagsForResource). */
export type DeletionOperation = keyof typeof operations;
/** An operation of the complete erasure the client calls (src/model/erasure.ts). */
export type ErasureClientOperation = (typeof erasureClientOperations)[number];

/** The input schema of a deletion operation: the model's constraints plus the guide's rules. */
export function deletionInputSchema(operation: DeletionOperation): AnySchema {
  return once(`${operation}Request`, model);
}

/**
 * The input schema of an erasure operation the client calls, from src/model/erasure.ts: its own table, so a
 * bundle that only deletes never carries it.
 */
export function erasureInputSchema(operation: ErasureClientOperation): AnySchema {
  return once(`${operation}Request`, erasureShapes as unknown as Table, ERASURE_KINDS);
}

/** Input schema of CreateDataDeletionJob: the model's constraints plus the guide's rules. */
export const CreateDataDeletionJobInputSchema = /* @__PURE__ */ lazyInput(
  "CreateDataDeletionJobRequest",
) as v.GenericSchema<unknown, CreateDataDeletionJobInput>;
/** Input schema of DescribeDataDeletionJob. */
export const DescribeDataDeletionJobInputSchema = /* @__PURE__ */ lazyInput(
  "DescribeDataDeletionJobRequest",
) as v.GenericSchema<unknown, DescribeDataDeletionJobInput>;
/** Input schema of ListDataDeletionJobs. */
export const ListDataDeletionJobsInputSchema = /* @__PURE__ */ lazyInput(
  "ListDataDeletionJobsRequest",
) as v.GenericSchema<unknown, ListDataDeletionJobsInput>;
/** Input schema of ListTagsForResource. */
export const ListTagsForResourceInputSchema = /* @__PURE__ */ lazyInput(
  "ListTagsForResourceRequest",
) as v.GenericSchema<unknown, { resourceArn: string }>;
/** A job name alone (1-63 characters, letters, digits, `-` and `_`, starting with a letter or digit). */
export const JobNameSchema = /* @__PURE__ */ lazyInput("Name") as v.GenericSchema<unknown, string>;
