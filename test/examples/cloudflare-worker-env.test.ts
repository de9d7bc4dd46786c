// examples/cloudflare-worker's Env against its wrangler.toml: what `wrangler types` would generate, held by
// hand. Every binding the file declares (queue producers, D1, R2, vars, required secrets) is a member of Env
// of its binding's type, every required member is declared there, and the optional ones are vars the file
// names for a deployment to add.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const ROOT = new URL("../../", import.meta.url).pathname;
const WORKER = join(ROOT, "examples/cloudflare-worker");
const tomlText = readFileSync(join(WORKER, "wrangler.toml"), "utf8");

interface Member {
  type: string;
  optional: boolean;
}

/** The binding types the file declares, as `wrangler types` names them (vars as plain strings). */
function bindingsOf(toml: Record<string, unknown>): Map<string, string> {
  const bindings = new Map<string, string>();
  const add = (name: string, type: string) => {
    expect(bindings.has(name), `${name} is declared twice in wrangler.toml`).toBe(false);
    bindings.set(name, type);
  };
  const tables = toml as {
    queues?: { producers?: { binding: string }[] };
    d1_databases?: { binding: string }[];
    r2_buckets?: { binding: string }[];
    workflows?: { binding: string }[];
    vars?: Record<string, unknown>;
    secrets?: { required?: string[] };
  };
  for (const q of tables.queues?.producers ?? []) add(q.binding, "Queue");
  for (const d of tables.d1_databases ?? []) add(d.binding, "D1Database");
  for (const r of tables.r2_buckets ?? []) add(r.binding, "R2Bucket");
  for (const w of tables.workflows ?? []) add(w.binding, "Workflow");
  for (const [name, value] of Object.entries(tables.vars ?? {})) {
    // wrangler types gives a JSON var its object type: this Worker's vars are all strings.
    expect(typeof value, `[vars] ${name}`).toBe("string");
    add(name, "string");
  }
  for (const name of tables.secrets?.required ?? []) add(name, "string");
  // A binding kind this test does not know (KV, services, Durable Objects...) must be added here first.
  const known = new Set([
    "name",
    "main",
    "compatibility_date",
    "queues",
    "d1_databases",
    "r2_buckets",
    "workflows",
    "triggers",
    "vars",
    "secrets",
  ]);
  expect(Object.keys(toml).filter((key) => !known.has(key))).toEqual([]);
  return bindings;
}

/** The members of `interface Env` in env.ts: each one's type as written (generics dropped) and whether optional. */
function envMembers(source: string): Map<string, Member> {
  const file = ts.createSourceFile("env.ts", source, ts.ScriptTarget.ES2022, true);
  const env = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "Env",
  );
  if (!env) throw new Error("env.ts declares no interface Env");
  // Members inherited from elsewhere would escape this comparison.
  expect(env.heritageClauses ?? []).toEqual([]);
  const members = new Map<string, Member>();
  for (const member of env.members) {
    if (!ts.isPropertySignature(member) || !member.type)
      throw new Error(`Env: ${member.getText()} is not a property`);
    const type = ts.isTypeReferenceNode(member.type) ? member.type.typeName.getText() : member.type.getText();
    members.set(member.name.getText(), { type, optional: member.questionToken !== undefined });
  }
  return members;
}

const bindings = bindingsOf(Bun.TOML.parse(tomlText) as Record<string, unknown>);
const members = envMembers(readFileSync(join(WORKER, "src/env.ts"), "utf8"));

describe("the Worker's Env is its wrangler.toml bindings", () => {
  test("every binding in wrangler.toml is a required member of Env of its binding type", () => {
    expect(bindings.size).toBeGreaterThan(10);
    const expected = [...bindings].map(([name, type]) => [name, { type, optional: false }]);
    const actual = [...bindings.keys()].map((name) => [name, members.get(name)]);
    expect(actual).toEqual(expected);
  });

  test("every required member of Env is a binding in wrangler.toml", () => {
    const required = [...members].filter(([, m]) => !m.optional).map(([name]) => name);
    expect(required.filter((name) => !bindings.has(name))).toEqual([]);
  });

  test("the optional members are vars wrangler.toml names for a deployment to add, and the README too", () => {
    const optional = [...members].filter(([, m]) => m.optional);
    expect(optional.length).toBeGreaterThan(0);
    const readme = readFileSync(join(WORKER, "README.md"), "utf8");
    // The file's closing comment: "Optional vars ...: NAME, NAME; ..."
    const comment = tomlText.slice(tomlText.indexOf("# Optional vars"));
    const undocumented = optional.filter(
      ([name, member]) =>
        member.type !== "string" || bindings.has(name) || !comment.includes(name) || !readme.includes(name),
    );
    expect(undocumented.map(([name]) => name)).toEqual([]);
  });

  test("the queue the producer binding sends to is the one the consumer reads, with its dead-letter queue", () => {
    const toml = Bun.TOML.parse(tomlText) as {
      queues: { producers: { queue: string }[]; consumers: { queue: string; dead_letter_queue?: string }[] };
    };
    const consumed = toml.queues.consumers.map((c) => c.queue);
    for (const p of toml.queues.producers) expect(consumed).toContain(p.queue);
    for (const c of toml.queues.consumers)
      if (c.dead_letter_queue) expect(consumed).toContain(c.dead_letter_queue);
  });
});

test("each [[workflows]] names its binding, a name and a class the Worker's main module exports", () => {
  const toml = Bun.TOML.parse(tomlText) as {
    main: string;
    workflows: { name: string; binding: string; class_name: string }[];
  };
  expect(toml.workflows.map((w) => w.binding)).toEqual(["WINDOW_WORKFLOW"]);
  const main = ts.createSourceFile(
    "index.ts",
    readFileSync(join(WORKER, toml.main), "utf8"),
    ts.ScriptTarget.ES2022,
  );
  // `export { X } from "..."`: the runtime finds the Workflow's class among the main module's exports.
  const exported = main.statements
    .filter((s): s is ts.ExportDeclaration => ts.isExportDeclaration(s) && !s.isTypeOnly)
    .flatMap((s) => (s.exportClause && ts.isNamedExports(s.exportClause) ? s.exportClause.elements : []))
    .filter((e) => !e.isTypeOnly)
    .map((e) => e.name.text);
  for (const w of toml.workflows) {
    // Workflow names: letters, digits, - and _, at most 64 characters.
    expect(w.name).toMatch(/^[a-z0-9_-]{1,64}$/i);
    expect(exported).toContain(w.class_name);
  }
});
