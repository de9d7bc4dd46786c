import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DELETION_OPERATIONS,
  deriveErasureModel,
  deriveModel,
  generateOperationTypes,
} from "../../scripts/gen-model.ts";
import { DataDeletionClient, ValidationError, validate } from "../../src/index.ts";
import * as model from "../../src/model/deletion.ts";
import * as erasure from "../../src/model/erasure.ts";
import { erasureInputSchema } from "../../src/model/schemas.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MODEL_TEXT = readFileSync(
  new URL("../fixtures/model/personalize-data-deletion.service-2.json", import.meta.url),
  "utf8",
);
const derived = deriveModel(MODEL_TEXT);
const shapes = derived.shapes as Record<
  string,
  {
    type: string;
    min?: number;
    max?: number;
    pattern?: string;
    required?: string[];
    members?: Record<string, string>;
    member?: string;
  }
>;

// Read against the botocore file itself, not against the generator's output, so a bug in the generator
// cannot pass by agreeing with itself.
test("every shape in src/model/deletion.ts carries the botocore model's own type, bounds, pattern and members", () => {
  const raw = JSON.parse(MODEL_TEXT) as {
    metadata: Record<string, string>;
    operations: Record<
      string,
      { input: { shape: string }; output: { shape: string }; errors: { shape: string }[] }
    >;
    shapes: Record<
      string,
      Record<string, unknown> & { members?: Record<string, { shape: string }>; member?: { shape: string } }
    >;
  };
  const ours = { ...model.shapes, ...model.outputShapes } as Record<string, Record<string, unknown>>;
  for (const [name, shape] of Object.entries(ours)) {
    const source = raw.shapes[name];
    expect(source, name).toBeDefined();
    if (!source) continue;
    for (const key of ["type", "min", "max", "pattern", "required", "sensitive"]) {
      expect([name, key, shape[key]]).toEqual([name, key, source[key]]);
    }
    const members = Object.fromEntries(
      Object.entries(source.members ?? {}).map(([m, ref]) => [m, ref.shape]),
    );
    expect([name, shape.members ?? {}]).toEqual([name, members]);
    expect([name, shape.member]).toEqual([name, source.member?.shape]);
  }
  // Every shape an operation's input or output reaches is there, and nothing else.
  const reached = new Set<string>();
  const walk = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    const source = raw.shapes[name];
    for (const ref of Object.values(source?.members ?? {})) walk(ref.shape);
    if (source?.member) walk(source.member.shape);
  };
  for (const op of Object.values(raw.operations)) {
    walk(op.input.shape);
    walk(op.output.shape);
  }
  expect(Object.keys(ours).sort()).toEqual([...reached].sort());
  for (const [name, op] of Object.entries(raw.operations)) {
    expect((model.operations as Record<string, unknown>)[name]).toEqual({
      input: op.input.shape,
      output: op.output.shape,
      errors: op.errors.map((e) => e.shape),
    });
  }
  expect(model.targetPrefix).toBe(raw.metadata.targetPrefix as string);
  expect(model.serviceMetadata.signingName).toBe(raw.metadata.signingName as "personalize");
  expect(model.serviceMetadata.jsonVersion).toBe(raw.metadata.jsonVersion as "1.1");
});

test("input and output shapes are apart: inputs hold only what the validators read", () => {
  const inputs = new Set(Object.keys(model.shapes));
  for (const op of Object.values(model.operations)) expect(inputs.has(op.input)).toBe(true);
  for (const name of Object.keys(model.outputShapes)) expect(inputs.has(name)).toBe(false);
});

test("src/model/deletion.ts is what the generator makes of the model (regenerate with npm run gen:model)", () => {
  expect(JSON.parse(JSON.stringify(model.shapes))).toEqual(JSON.parse(JSON.stringify(derived.shapes)));
  expect(JSON.parse(JSON.stringify(model.outputShapes))).toEqual(
    JSON.parse(JSON.stringify(derived.outputShapes)),
  );
});

test("the generator refuses an input shape of a type the validators do not handle", () => {
  const raw = JSON.parse(MODEL_TEXT);
  // A blob member in an input is what a model change could bring; output shapes may hold any type.
  raw.shapes.Name = { type: "blob" };
  expect(() => deriveModel(JSON.stringify(raw))).toThrow(
    "input shape Name has type blob, which src/model/schemas.ts cannot validate",
  );
  expect(Object.values(derived.outputShapes).some((s) => (s as { type: string }).type === "timestamp")).toBe(
    true,
  );
});

// One valid example per leaf shape; everything else about the cases comes from the model.
const VALID: Record<string, unknown> = {
  Name: "job-1_a",
  Arn: "arn:aws:personalize:us-east-1:123456789012:dataset-group/my-dsg",
  RoleArn: "arn:aws:iam::123456789012:role/PersonalizeRole",
  S3Location: "s3://amzn-s3-demo-bucket/deletions/users.csv",
  NextToken: "token-1",
  MaxResults: 10,
  TagKey: "team",
  TagValue: "privacy",
};
const JOB_ARN = "arn:aws:personalize:us-east-1:123456789012:data-deletion-job/job-1";

function validValue(shapeName: string, member?: string): unknown {
  const shape = shapes[shapeName];
  if (!shape) throw new Error(shapeName);
  if (member === "dataDeletionJobArn") return JOB_ARN;
  if (shape.type === "structure") {
    return Object.fromEntries(Object.entries(shape.members ?? {}).map(([m, s]) => [m, validValue(s, m)]));
  }
  if (shape.type === "list") return [validValue(shape.member as string)];
  if (!(shapeName in VALID)) throw new Error(`no valid example for ${shapeName}`);
  return VALID[shapeName];
}

function breakPattern(pattern: string, valid: string): string {
  const re = new RegExp(`^(?:${pattern})$`, "u");
  const candidate = ["#", "é", "\u0000", " "].map((p) => p + valid).find((c) => !re.test(c));
  if (!candidate) throw new Error(`cannot break ${pattern}`);
  return candidate;
}

interface Case {
  label: string;
  path: string;
  mutate: (input: Record<string, unknown>) => void;
}

function casesFor(structName: string): Case[] {
  const out: Case[] = [];
  const struct = shapes[structName] as { members: Record<string, string>; required?: string[] };
  const visit = (
    shapeName: string,
    path: string[],
    set: (input: Record<string, unknown>, value: unknown) => void,
  ) => {
    const shape = shapes[shapeName] as (typeof shapes)[string];
    const valid = validValue(shapeName, path[path.length - 1]);
    const p = path.join(".");
    if (shape.type === "string") {
      if (shape.max !== undefined)
        out.push({
          label: `${p} longer than ${shape.max}`,
          path: p,
          mutate: (i) => set(i, String(valid) + "x".repeat(shape.max as number)),
        });
      if (shape.min)
        out.push({ label: `${p} shorter than ${shape.min}`, path: p, mutate: (i) => set(i, "") });
      if (shape.pattern)
        out.push({
          label: `${p} breaking ${shape.pattern}`,
          path: p,
          mutate: (i) => set(i, breakPattern(shape.pattern as string, String(valid))),
        });
      out.push({ label: `${p} not a string`, path: p, mutate: (i) => set(i, 42) });
    } else if (shape.type === "integer") {
      if (shape.max !== undefined)
        out.push({
          label: `${p} above ${shape.max}`,
          path: p,
          mutate: (i) => set(i, (shape.max as number) + 1),
        });
      if (shape.min !== undefined)
        out.push({
          label: `${p} below ${shape.min}`,
          path: p,
          mutate: (i) => set(i, (shape.min as number) - 1),
        });
      out.push({ label: `${p} not whole`, path: p, mutate: (i) => set(i, 1.5) });
    } else if (shape.type === "list") {
      if (shape.max !== undefined) {
        out.push({
          label: `${p} over ${shape.max} items`,
          path: p,
          mutate: (i) =>
            set(
              i,
              Array.from({ length: (shape.max as number) + 1 }, () => validValue(shape.member as string)),
            ),
        });
      }
      visit(shape.member as string, [...path, "0"], (i, v) => {
        const list = [validValue(shape.member as string)];
        list[0] = v;
        set(i, list);
      });
    } else if (shape.type === "structure") {
      for (const [m, s] of Object.entries(shape.members ?? {})) {
        visit(s, [...path, m], (i, v) => {
          const obj = validValue(shapeName, path[path.length - 1]) as Record<string, unknown>;
          obj[m] = v;
          set(i, obj);
        });
        if (shape.required?.includes(m)) {
          out.push({
            label: `${[...path, m].join(".")} missing`,
            path: [...path, m].join("."),
            mutate: (i) => {
              const obj = validValue(shapeName, path[path.length - 1]) as Record<string, unknown>;
              delete obj[m];
              set(i, obj);
            },
          });
        }
      }
    }
  };
  for (const [member, shapeName] of Object.entries(struct.members)) {
    visit(shapeName, [member], (input, value) => {
      input[member] = value;
    });
    if (struct.required?.includes(member)) {
      out.push({ label: `${member} missing`, path: member, mutate: (i) => delete i[member] });
    }
  }
  return out;
}

function countingClient() {
  const sent: string[] = [];
  const client = new DataDeletionClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    useEnvironment: false,
    fetch: async (url) => {
      sent.push(url);
      return new Response(
        JSON.stringify({ dataDeletionJobArn: JOB_ARN, dataDeletionJob: {}, dataDeletionJobs: [] }),
      );
    },
  });
  return { client, sent };
}

const OPERATIONS = {
  CreateDataDeletionJob: (c: DataDeletionClient, i: unknown) => c.createDataDeletionJob(i as never),
  DescribeDataDeletionJob: (c: DataDeletionClient, i: unknown) => c.describeDataDeletionJob(i as never),
  ListDataDeletionJobs: (c: DataDeletionClient, i: unknown) => c.listDataDeletionJobs(i as never),
} as const;

for (const [operation, call] of Object.entries(OPERATIONS)) {
  const inputShape = (derived.operations as Record<string, { input: string }>)[operation]?.input as string;
  describe(`${operation}: cases generated from the model`, () => {
    test("a fully valid input is sent", async () => {
      const { client, sent } = countingClient();
      await call(client, validValue(inputShape));
      expect(sent.length).toBe(1);
    });
    const cases = casesFor(inputShape);
    test("the model yields cases for every member", () => {
      const members = Object.keys((shapes[inputShape] as { members: object }).members);
      for (const m of members)
        expect(cases.some((c) => c.path === m || c.path.startsWith(`${m}.`))).toBe(true);
    });
    for (const c of cases) {
      test(c.label, async () => {
        const { client, sent } = countingClient();
        const input = validValue(inputShape) as Record<string, unknown>;
        c.mutate(input);
        const error = await call(client, input).catch((e) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((i) => i.path)).toContain(c.path);
        expect(sent.length).toBe(0);
      });
    }
  });
}

describe("guide rules beyond the model", () => {
  const base = validValue("CreateDataDeletionJobRequest") as Record<string, unknown>;
  const cases: [string, Record<string, unknown>, string][] = [
    ["a name with a dot", { jobName: "a.b" }, "jobName"],
    ["a Cyrillic look-alike in a name", { jobName: "j\u043eb" }, "jobName"],
    [
      "a recipe ARN as the dataset group",
      { datasetGroupArn: "arn:aws:personalize:us-east-1:123456789012:recipe/x" },
      "datasetGroupArn",
    ],
    [
      "an https data location",
      { dataSource: { dataLocation: "https://example.com/a.csv" } },
      "dataSource.dataLocation",
    ],
    ["a tag key with the aws: prefix", { tags: [{ tagKey: "aws:x", tagValue: "v" }] }, "tags.0.tagKey"],
    ["an unknown member", { jobname: "typo" }, "jobname"],
  ];
  for (const [label, patch, path] of cases) {
    test(label, async () => {
      const { client, sent } = countingClient();
      const error = await client.createDataDeletionJob({ ...base, ...patch } as never).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues[0].path).toBe(path);
      expect(sent.length).toBe(0);
    });
  }

  test("tag values are sensitive in the model: errors do not echo them", async () => {
    const { client } = countingClient();
    const error = await client
      .createDataDeletionJob({ ...base, tags: [{ tagKey: "k", tagValue: "secret#value" }] } as never)
      .catch((e) => e);
    expect(error.message).not.toContain("secret#value");
    expect(error.message).toContain("tags.0.tagValue");
  });
});

describe("src/model/erasure.ts", () => {
  const ERASURE_TEXT = readFileSync(
    new URL("../fixtures/model/personalize-erasure.service-2.json", import.meta.url),
    "utf8",
  );
  const raw = JSON.parse(ERASURE_TEXT) as {
    operations: Record<string, { input: { shape: string }; errors: { shape: string }[] }>;
    shapes: Record<string, Record<string, unknown> & { members?: Record<string, { shape: string }> }>;
  };

  test("the three deletion operations in the erasure model are the ones src/model/deletion.ts has", () => {
    const deletion = JSON.parse(MODEL_TEXT) as typeof raw;
    for (const name of DELETION_OPERATIONS) expect(raw.operations[name]).toEqual(deletion.operations[name]);
  });

  test("every operation beyond them, with its input shapes carrying the botocore model's own constraints", () => {
    const ours = { ...erasure.erasureShapes, ...erasure.emulatorOnlyShapes } as unknown as Record<
      string,
      Record<string, unknown>
    >;
    // Every input shape is named after its operation, which the schema builder relies on.
    for (const [name, op] of Object.entries(raw.operations)) expect(op.input.shape).toBe(`${name}Request`);
    // The client's table is exactly what its operations reach; the emulator's other operations add the rest.
    for (const name of Object.keys(erasure.emulatorOnlyShapes))
      expect(name in erasure.erasureShapes).toBe(false);
    const beyond = Object.keys(raw.operations).filter(
      (n) => !(DELETION_OPERATIONS as readonly string[]).includes(n),
    );
    expect(Object.keys(erasure.erasureOperations).sort()).toEqual(beyond.sort());
    for (const [name, shape] of Object.entries(ours)) {
      const source = raw.shapes[name];
      for (const key of ["type", "min", "max", "pattern", "required", "enum"]) {
        expect([name, key, shape[key]]).toEqual([name, key, source?.[key]]);
      }
    }
    expect(ours.TrainingMode?.enum).toEqual(["FULL", "UPDATE", "AUTOTRAIN"]);
    const derivedModel = deriveErasureModel(ERASURE_TEXT);
    expect(JSON.parse(JSON.stringify(erasure.erasureShapes))).toEqual(
      JSON.parse(JSON.stringify(derivedModel.shapes)),
    );
    expect(JSON.parse(JSON.stringify(erasure.emulatorOnlyShapes))).toEqual(
      JSON.parse(JSON.stringify(derivedModel.emulatorOnlyShapes)),
    );
    expect("CreateDatasetImportJobRequest" in erasure.erasureShapes).toBe(false);
  });

  test("its schemas follow the model: enums, booleans and maps included", () => {
    const update = erasureInputSchema("UpdateCampaign");
    const arn = "arn:aws:personalize:us-east-1:123456789012:campaign/c";
    expect(() =>
      validate(update, {
        campaignArn: arn,
        campaignConfig: { syncWithLatestSolutionVersion: true, itemExplorationConfig: { a: "1" } },
      }),
    ).not.toThrow();
    expect(() =>
      validate(update, { campaignArn: arn, campaignConfig: { syncWithLatestSolutionVersion: "yes" } }),
    ).toThrow("campaignConfig.syncWithLatestSolutionVersion: must be true or false");
    expect(() =>
      validate(erasureInputSchema("CreateSolutionVersion"), { solutionArn: arn, trainingMode: "NIGHTLY" }),
    ).toThrow("trainingMode: must be one of FULL, UPDATE, AUTOTRAIN");
    expect(() => validate(erasureInputSchema("ListSolutionVersions"), { maxResults: 101 })).toThrow(
      "maxResults: must be at most 100",
    );
  });
});

describe("src/model/operations.ts", () => {
  const ERASURE_TEXT = readFileSync(
    new URL("../fixtures/model/personalize-erasure.service-2.json", import.meta.url),
    "utf8",
  );

  test("it is what the generator makes of the two models, formatted (regenerate with npm run gen:model)", () => {
    const made = spawnSync(
      join(ROOT, "node_modules/.bin/biome"),
      ["format", "--stdin-file-path=src/model/operations.ts"],
      { input: generateOperationTypes(MODEL_TEXT, ERASURE_TEXT), encoding: "utf8", cwd: ROOT },
    );
    expect(made.stderr).toBe("");
    expect(made.stdout).toBe(readFileSync(join(ROOT, "src/model/operations.ts"), "utf8"));
  });

  test("it maps every operation the client calls, and only those", () => {
    const text = readFileSync(join(ROOT, "src/model/operations.ts"), "utf8");
    const block = text.slice(text.indexOf("interface PersonalizeOperations"), text.indexOf("\n}\n"));
    const mapped = [...block.matchAll(/^ {2}(\w+): \{$/gm)].map((m) => m[1]);
    expect(mapped.sort()).toEqual(
      [...Object.keys(model.operations), ...erasure.erasureClientOperations].sort(),
    );
  });

  // The client turns every member ending in DateTime from epoch seconds into a Date, and nothing else: that
  // rule is right only while the model's timestamps are exactly those members.
  test("the timestamps of every operation's output are exactly its members named *DateTime", () => {
    for (const text of [MODEL_TEXT, ERASURE_TEXT]) {
      const raw = JSON.parse(text) as {
        shapes: Record<string, { type: string; members?: Record<string, { shape: string }> }>;
      };
      let timestamps = 0;
      for (const shape of Object.values(raw.shapes)) {
        for (const [member, ref] of Object.entries(shape.members ?? {})) {
          const isTimestamp = raw.shapes[ref.shape]?.type === "timestamp";
          if (isTimestamp) timestamps++;
          expect([member, isTimestamp]).toEqual([member, member.endsWith("DateTime")]);
        }
      }
      expect(timestamps).toBeGreaterThan(0);
    }
  });

  test("the generator refuses a shape it has no type for, and two models that disagree on a shape", () => {
    const raw = JSON.parse(ERASURE_TEXT);
    raw.shapes.Name = { type: "blob" };
    expect(() => generateOperationTypes(MODEL_TEXT, JSON.stringify(raw))).toThrow(
      "shape Name has type blob, which src/model/operations.ts has no type for",
    );
    const other = JSON.parse(ERASURE_TEXT);
    other.shapes.Tag.required = ["tagKey"];
    expect(() => generateOperationTypes(MODEL_TEXT, JSON.stringify(other))).toThrow(
      "shape Tag differs between the two models",
    );
  });
});
