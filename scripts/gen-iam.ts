// npm run gen:iam: writes the README's IAM policies (the JSON block after each `<!-- iam-policy: MODE -->`)
// and the list of actions after `<!-- iam-actions: MODE -->` from src/erasure/permissions.ts, which
// test/erasure/permissions.test.ts holds against the code. `--check` changes nothing and exits 1 when the README
// differs; `--print MODE` prints one policy (for your own role, with --role-arn, --bucket, --prefix and, for
// scan and scrub, --data-bucket: the bucket of the data around Personalize, every bucket when absent; for
// suppress, --suppression-bucket and --suppression-prefix).
import { readFileSync, writeFileSync } from "node:fs";
import {
  actionsOf,
  iamPolicy,
  PERMISSION_MODES,
  type PermissionMode,
  type PolicyDocument,
  type PolicyTarget,
  serviceRolePolicy,
} from "../src/erasure/permissions.ts";

/** The names the README's examples use (its workflows upload to s3://my-deletions-bucket/personalize/). */
export const README_POLICY_TARGET: PolicyTarget = {
  roleArn: "arn:aws:iam::123456789012:role/PersonalizeS3Read",
  bucket: "my-deletions-bucket",
  prefix: "personalize/",
  dataBucket: "my-personalize-data",
  suppressionBucket: "my-privacy-bucket",
  suppressionPrefix: "suppression/",
};

const WIDTH = 110;

/** A policy as the README shows it: a statement per block, actions wrapped, valid JSON. */
export function renderPolicy(policy: PolicyDocument): string {
  const statements = policy.Statement.map((s) => {
    const head = `    { "Sid": ${JSON.stringify(s.Sid)}, "Effect": "Allow", "Action": [`;
    const actions = s.Action.map((a) => JSON.stringify(a));
    const lines: string[] = [];
    if (`${head}${actions.join(", ")}],`.length <= WIDTH) lines.push(`${head}${actions.join(", ")}],`);
    else {
      lines.push(head);
      let line = "";
      for (const action of actions) {
        if (line && `        ${line}, ${action},`.length > WIDTH) {
          lines.push(`        ${line},`);
          line = action;
        } else line = line ? `${line}, ${action}` : action;
      }
      lines.push(`        ${line}],`);
    }
    lines.push(`      "Resource": ${JSON.stringify(s.Resource)}${s.Condition ? "," : " }"}`);
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      const pairs = Object.entries(keys).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      lines.push(`      "Condition": { ${JSON.stringify(operator)}: { ${pairs.join(", ")} } } }`);
    }
    return lines.join("\n");
  });
  return `{\n  "Version": ${JSON.stringify(policy.Version)},\n  "Statement": [\n${statements.join(",\n")}\n  ]\n}`;
}

const POLICY_BLOCK = /<!-- iam-policy: ([\w-]+) -->\n```json\n([\s\S]*?)```/g;
const ACTIONS_BLOCK = /<!-- iam-actions: ([\w-]+) -->\n([\s\S]*?)<!-- \/iam-actions -->/g;

/** The policies the README shows, by the mode (or `service-role`) of their marker, parsed. */
export function readmePolicies(readme: string): Map<string, unknown> {
  return new Map([...readme.matchAll(POLICY_BLOCK)].map((m) => [m[1] as string, JSON.parse(m[2] as string)]));
}

const policyOf = (name: string): PolicyDocument => {
  if (name === "service-role") return serviceRolePolicy(README_POLICY_TARGET);
  if (!PERMISSION_MODES.includes(name as PermissionMode))
    throw new Error(`README: unknown iam-policy ${name}`);
  return iamPolicy(name as PermissionMode, README_POLICY_TARGET);
};

/** The README with every marked policy and action list regenerated. */
export function updateReadme(readme: string): string {
  return readme
    .replace(
      POLICY_BLOCK,
      (_, name: string) =>
        `<!-- iam-policy: ${name} -->\n\`\`\`json\n${renderPolicy(policyOf(name))}\n\`\`\``,
    )
    .replace(ACTIONS_BLOCK, (_, mode: PermissionMode) => {
      if (!PERMISSION_MODES.includes(mode)) throw new Error(`README: unknown iam-actions ${mode}`);
      const lines = [""];
      for (const action of actionsOf(mode).map((a) => `\`${a}\``)) {
        const last = lines.length - 1;
        if (lines[last] && `${lines[last]}, ${action},`.length > WIDTH) {
          lines[last] += ",";
          lines.push(action);
        } else lines[last] = lines[last] ? `${lines[last]}, ${action}` : action;
      }
      const list = lines.join("\n");
      return `<!-- iam-actions: ${mode} -->\n${list}\n<!-- /iam-actions -->`;
    });
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const print = flag("--print");
  if (print) {
    const target = {
      roleArn: flag("--role-arn") ?? README_POLICY_TARGET.roleArn,
      bucket: flag("--bucket") ?? README_POLICY_TARGET.bucket,
      prefix: flag("--prefix") ?? README_POLICY_TARGET.prefix,
      dataBucket: flag("--data-bucket") ?? "*",
      suppressionBucket: flag("--suppression-bucket") ?? "*",
      suppressionPrefix: flag("--suppression-prefix") ?? "",
    };
    if (!PERMISSION_MODES.includes(print as PermissionMode)) {
      console.error(
        `--print must be one of ${PERMISSION_MODES.join(", ")}, received ${JSON.stringify(print)}`,
      );
      process.exit(2);
    }
    console.log(JSON.stringify(iamPolicy(print as PermissionMode, target), null, 2));
  } else {
    const path = new URL("../README.md", import.meta.url);
    const before = readFileSync(path, "utf8");
    const after = updateReadme(before);
    if (args.includes("--check")) {
      if (after !== before) {
        console.error("README.md's IAM policies differ from src/erasure/permissions.ts: run npm run gen:iam");
        process.exit(1);
      }
    } else if (after !== before) {
      writeFileSync(path, after);
      console.error("README.md: IAM policies updated");
    } else console.error("README.md: IAM policies already up to date");
  }
}
