// The README's workflows and the self-test workflow must be valid YAML whose steps use the action with
// inputs action.yml declares (and every required one).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url).pathname;
const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, { required?: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};

type Step = { uses?: string; with?: Record<string, unknown>; id?: string; run?: string };
type Workflow = { on: unknown; jobs: Record<string, { steps: Step[] }> };

function checkWorkflow(workflow: Workflow, ours: (uses: string) => boolean): number {
  expect(workflow.on).toBeDefined();
  let uses = 0;
  for (const job of Object.values(workflow.jobs)) {
    for (const step of job.steps) {
      if (!step.uses || !ours(step.uses)) continue;
      uses++;
      const given = Object.keys(step.with ?? {});
      for (const name of given) expect(Object.keys(action.inputs)).toContain(name);
      for (const [name, spec] of Object.entries(action.inputs))
        if (spec.required) expect(given).toContain(name);
    }
    const outputsUsed = job.steps.flatMap((s) =>
      [...(s.run ?? "").matchAll(/steps\.\w+\.outputs\.([\w-]+)/g)].map((m) => m[1] as string),
    );
    for (const name of outputsUsed) expect(Object.keys(action.outputs)).toContain(name);
  }
  return uses;
}

test("action.yml declares node24, dist/index.js and describes every input and output", () => {
  expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
  for (const spec of [...Object.values(action.inputs), ...Object.values(action.outputs)])
    expect(spec.description.length).toBeGreaterThan(10);
});

test("every action input is read by action/inputs.ts (guard mode's by guard.ts), and every output is set by action/outputs.ts (guard.ts)", () => {
  const guardSource = readFileSync(join(ROOT, "action/guard.ts"), "utf8");
  const inputsSource = readFileSync(join(ROOT, "action/inputs.ts"), "utf8") + guardSource;
  const outputsSource = readFileSync(join(ROOT, "action/outputs.ts"), "utf8") + guardSource;
  const unread = Object.keys(action.inputs).filter((name) => !inputsSource.includes(`"${name}"`));
  const unset = Object.keys(action.outputs).filter(
    (name) => !new RegExp(`setOutput\\(\\s*"${name}"`).test(outputsSource),
  );
  expect({ unread, unset }).toEqual({ unread: [], unset: [] });
});

test("the README's workflows are valid YAML that match action.yml", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  let uses = 0;
  for (const block of blocks)
    uses += checkWorkflow(parse(block) as Workflow, (u) =>
      u.startsWith("personalize-data-deletion/personalize-data-deletion@"),
    );
  expect(uses).toBe(blocks.length);
});

test("the self-test workflow runs the action from the repository", () => {
  const workflow = parse(readFileSync(join(ROOT, ".github/workflows/self-test.yml"), "utf8")) as Workflow;
  expect(checkWorkflow(workflow, (u) => u === "./")).toBe(1);
});

test("the committed bundle carries no dev-only code and no node_modules paths of test tools", () => {
  const bundle = readFileSync(join(ROOT, "dist/index.js"), "utf8");
  for (const devOnly of [
    "@smithy/signature-v4",
    "fast-check",
    "miniflare",
    "bun:test",
    "@aws-sdk/client-",
    "papaparse/papaparse.min",
  ]) {
    expect({ devOnly, found: bundle.includes(devOnly) }).toEqual({ devOnly, found: false });
  }
  // The action's own libraries are in the bundle, so the npm package does not install them.
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  for (const name of ["@actions/core", "@actions/github"]) {
    expect(pkg.dependencies[name]).toBeUndefined();
    expect(pkg.devDependencies[name]).toBeDefined();
  }
});
