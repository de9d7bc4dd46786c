// schema/erasure-receipt.schema.json is read by auditors: every property at every depth says what it is,
// its unit or format, and what it proves. The README's "Reading a receipt" walks through a receipt that
// must validate against it, and names each field it explains.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ErasureReceipt } from "../../src/erasure/index.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
type Schema = {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  $defs?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  [key: string]: unknown;
};
const schema = JSON.parse(readFileSync(`${ROOT}schema/erasure-receipt.schema.json`, "utf8")) as Schema;

/**
 * Every property schema, at every depth, with its path. `if`/`then`/`else` are not walked: they restate
 * constraints of properties already described (pending is empty when complete), they define none.
 */
function properties(node: Schema, path: string): [string, Schema][] {
  const found: [string, Schema][] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    found.push([`${path}.${name}`, child], ...properties(child, `${path}.${name}`));
  }
  if (node.items) {
    // An item that is only a reference is described where it is defined ($defs).
    if (!node.items.$ref) found.push([`${path}[]`, node.items]);
    found.push(...properties(node.items, `${path}[]`));
  }
  for (const [i, option] of (node.oneOf ?? []).entries()) found.push(...properties(option, `${path}|${i}`));
  for (const [name, def] of Object.entries(node.$defs ?? {})) {
    found.push([`$defs.${name}`, def], ...properties(def, `$defs.${name}`));
  }
  return found;
}

test("every property at every depth has a description of a sentence or more", () => {
  const all = properties(schema, "receipt");
  // The walk reaches nested levels (a guard against a walker that finds nothing and passes).
  const paths = all.map(([path]) => path);
  for (const deep of [
    "receipt.jobs[].sha256",
    "receipt.retrain.campaigns[].movedByThisRun",
    "receipt.users.from",
    "receipt.tool.version",
    "$defs.activity.lastUpdatedAt",
    "receipt.outsidePersonalize.suppression.hashes",
    "$defs.outsideLocation.objects",
    "$defs.outsideObject.versionsDeleted[]",
  ])
    expect(paths).toContain(deep);
  expect(all.length).toBeGreaterThan(80);
  const undescribed = all.filter(([, s]) => typeof s.description !== "string" || s.description.length < 15);
  expect(undescribed.map(([path]) => path)).toEqual([]);
  expect(typeof schema.description).toBe("string");
});

test("every object keeps refusing fields it does not know (additionalProperties: false)", () => {
  const objects = properties(schema, "receipt").filter(([, s]) => s.type === "object" || s.properties);
  expect(objects.length).toBeGreaterThan(8);
  expect(objects.filter(([, s]) => s.additionalProperties !== false).map(([p]) => p)).toEqual([]);
  expect(schema.additionalProperties).toBe(false);
});

test("the receipt's version 3 keeps version 2's fields (tool, users, purpose, firstJobCreatedAt, requestWindow)", () => {
  const p = schema.properties as Record<string, Schema>;
  expect(p.receiptVersion?.const).toBe(3);
  expect(schema.required).toContain("tool");
  expect(schema.required).toContain("users");
  expect(schema.required).not.toContain("firstJobCreatedAt");
  expect(p.requestedAt).toBeUndefined();
  expect(p.users?.required).toEqual(["unique", "from"]);
  const job = p.jobs?.items?.properties ?? {};
  expect(job.role).toBeUndefined();
  expect(job.purpose?.enum).toEqual(["deletion", "repeat"]);
  expect(Object.keys(p.requestWindow?.properties ?? {})).toEqual([
    "firstReceivedAt",
    "lastReceivedAt",
    "requests",
  ]);
});

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);
const readme = readFileSync(`${ROOT}README.md`, "utf8");
const section = readme.slice(readme.indexOf("### Reading a receipt"), readme.indexOf("### IAM permissions"));
const example = JSON.parse(/<!-- receipt-example -->\n```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "null");

test("the README's example receipt validates, and its types are the library's", () => {
  const ok = validate(example);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  // Compile-time: the example is an ErasureReceipt as the library types it.
  const typed: ErasureReceipt = example;
  expect(typed.complete).toBe(true);
  // Its job and its file are tied by the list's SHA-256, as the walk-through says.
  expect(typed.jobs[0]?.sha256).toBe(typed.files[0]?.sha256);
});

test("the schema refuses what the walk-through says it would: an old version, an unknown field, an id", () => {
  expect(validate({ ...example, receiptVersion: 1 })).toBe(false);
  expect(validate({ ...example, userIds: ["user-001"] })).toBe(false);
  expect(validate({ ...example, jobs: [{ ...example.jobs[0], role: "deletion" }] })).toBe(false);
  expect(validate({ ...example, complete: true, pending: ["a campaign still serves the old version"] })).toBe(
    false,
  );
});

test("'Reading a receipt' explains every field of the receipt and of its jobs and files", () => {
  const p = schema.properties as Record<string, Schema>;
  const names = [
    ...Object.keys(p),
    ...Object.keys(p.users?.properties ?? {}),
    ...Object.keys(p.requestWindow?.properties ?? {}),
    ...Object.keys(p.jobs?.items?.properties ?? {}).filter(
      (n) =>
        ![
          "jobName",
          "dataDeletionJobArn",
          "failureReason",
          "dataLocation",
          "createdAt",
          "completedAt",
        ].includes(n),
    ),
    ...Object.keys(p.files?.items?.properties ?? {}).filter(
      (n) => !["dataLocation", "givenByCaller"].includes(n),
    ),
  ];
  const text = section.slice(section.indexOf("Field by field"));
  // Named in code style, alone (`stage`), as a list (`jobs[]`) or with a value (`status: COMPLETED`).
  expect(names.filter((n) => !new RegExp(`\`${n}(\`|\\[\\]|: )`).test(text))).toEqual([]);
  expect(text).toContain("What it proves");
  expect(text).toContain("What it does not prove");
});
