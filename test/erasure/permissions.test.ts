// The IAM policies of src/erasure/permissions.ts held against the code, both ways:
// - every request each mode's flows send (run twice, so the second adopts; with the PENDING limit met once
//   and a file already at the key) is allowed by that mode's generated policy, as this test reads AWS's
//   authorization rules from the wire request, not from the module's table;
// - every operation the module lists is called somewhere in src/, and every call in src/ is listed;
// - every IAM action of a mode's policy, on its scope (the upload bucket's or the data's around Personalize),
//   was needed by some request of that mode's runs (or of the runs of the modes it builds on, for what it
//   inherits).
// And the README shows the generated policies (the blocks after each `<!-- iam-policy: MODE -->`).
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateSolutionVersionCommand,
  ListSolutionsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { README_POLICY_TARGET, readmePolicies } from "../../scripts/gen-iam.ts";
import {
  actionsOf,
  type GrantScope,
  iamPolicy,
  MODE_BASE,
  modesUnder,
  OPERATION_PERMISSIONS,
  operationsOf,
  PERMISSION_MODES,
  type PermissionMode,
  type PolicyDocument,
  serviceRolePolicy,
} from "../../src/erasure/permissions.ts";
import { ConfigurationError, ServiceError } from "../../src/index.ts";
import { operations } from "../../src/model/deletion.ts";
import { erasureClientOperations } from "../../src/model/erasure.ts";
import { clientFor, erasureClientFor, ROLE_ARN } from "../support/client.ts";
import {
  type SeenRequest,
  startVerifyingServer,
  TEST_CREDENTIALS,
  type VerifyingServer,
} from "../support/verifying-server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

// ---- What AWS authorizes each wire request as (Service Authorization Reference; S3's API reference) ----
interface Needed {
  action: string;
  resource: string;
  passedTo?: string;
}

// The bucket of the sample's data outside Personalize (the emulator's outsideData), which scan and scrub read
// and write.
const DATA_BUCKET = "emulator-data";
// The suppression list's bucket, made by the test (the AWS SDK) for the suppress mode's runs.
const SUPPRESSION_BUCKET = "emulator-suppression";

function authorizationOf(req: SeenRequest, bucket: string): Needed[] {
  if (req.target) {
    const operation = req.target.replace(/^AmazonPersonalize\./, "");
    const body = JSON.parse(new TextDecoder().decode(req.body)) as { roleArn?: string; tags?: unknown[] };
    const needed: Needed[] = [{ action: `personalize:${operation}`, resource: "*" }];
    if (body.tags?.length) needed.push({ action: "personalize:TagResource", resource: "*" });
    if (body.roleArn)
      needed.push({ action: "iam:PassRole", resource: body.roleArn, passedTo: "personalize.amazonaws.com" });
    return needed;
  }
  const url = new URL(req.path, "http://s3.test");
  const [, bucketName, ...rest] = url.pathname.split("/");
  expect([bucket, DATA_BUCKET, SUPPRESSION_BUCKET]).toContain(bucketName as string);
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  const objectArn = `${bucketArn}/${decodeURIComponent(rest.join("/"))}`;
  const versioned = url.searchParams.has("versionId");
  if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) {
    if (req.method === "GET" && url.searchParams.has("versions"))
      return [{ action: "s3:ListBucketVersions", resource: bucketArn }];
    if (req.method === "GET") return [{ action: "s3:ListBucket", resource: bucketArn }];
  } else {
    // HEAD is authorized as GetObject; a missing key answers 404 only with s3:ListBucket (else 403).
    if (req.method === "HEAD")
      return [
        { action: versioned ? "s3:GetObjectVersion" : "s3:GetObject", resource: objectArn },
        { action: "s3:ListBucket", resource: bucketArn },
      ];
    if (req.method === "GET")
      return [{ action: versioned ? "s3:GetObjectVersion" : "s3:GetObject", resource: objectArn }];
    // A multipart upload's create, parts and complete are authorized as s3:PutObject; its abort on its own.
    if (req.method === "PUT" || req.method === "POST")
      return [{ action: "s3:PutObject", resource: objectArn }];
    if (req.method === "DELETE" && url.searchParams.has("uploadId"))
      return [{ action: "s3:AbortMultipartUpload", resource: objectArn }];
    if (req.method === "DELETE")
      return [{ action: versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject", resource: objectArn }];
  }
  throw new Error(`a request this test cannot authorize: ${req.method} ${req.path}`);
}

/** The scope of the module's table a request's resource falls in (the upload bucket's, or the data's). */
function scopeOf(needed: Needed): GrantScope {
  if (needed.resource === "*") return "personalize";
  if (needed.resource.startsWith("arn:aws:iam:")) return "role";
  const [bucketName, ...key] = needed.resource.replace(/^arn:aws:s3:::/, "").split("/");
  const where =
    bucketName === DATA_BUCKET ? "data-" : bucketName === SUPPRESSION_BUCKET ? "suppression-" : "";
  return `${where}${key.length > 0 ? "object" : "bucket"}` as GrantScope;
}

/** A mode's grants as `action on scope`, each once. */
const grantsOf = (mode: PermissionMode) => [
  ...new Set(operationsOf(mode).flatMap((o) => o.grants.map((g) => `${g.action} on ${g.on}`))),
];

const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map(RegExp.escape ?? ((s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join(".*")}$`,
  ).test(value);

/** Whether `policy` allows `needed` (Allow statements only, as the generated ones are). */
function allows(policy: PolicyDocument, needed: Needed): boolean {
  return policy.Statement.some((s) => {
    if (!s.Action.includes(needed.action) || !glob(s.Resource, needed.resource)) return false;
    const passed = s.Condition?.StringEquals?.["iam:PassedToService"];
    return passed === undefined || passed === needed.passedTo;
  });
}

let server: VerifyingServer | undefined;
afterEach(() => server?.close());

const jobName = (mode: string) => `permissions-${mode}`;
const refuse = (code: string, message: string, status: number) =>
  new Response(JSON.stringify({ __type: code, message }), {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": code },
  });

/** Answers the first request that `matches` with `answer` (then lets the emulator answer again). */
function once(s: VerifyingServer, matches: (req: SeenRequest) => boolean, answer: () => Response) {
  let done = false;
  s.intercept = (req) => {
    if (done || !matches(req)) return undefined;
    done = true;
    return answer();
  };
}
const isCreate = (req: SeenRequest) => req.target === "AmazonPersonalize.CreateDataDeletionJob";

// Each mode run as its users run it, twice (the second run adopts), through the paths that need the
// rarer actions: the PENDING limit (ListDataDeletionJobs), a file already at the key (HEAD), an upload
// taken back from a KMS-encrypting bucket (a plain DELETE), a version another training made
// (DescribeSolutionVersion). The erasures run on the sample with its data outside Personalize (an import,
// batch jobs, an export, each of which the receipt's discovery describes); the scrub's on a versioned data
// bucket whose import source has an older version holding the users (deleted by version id).
async function runMode(mode: PermissionMode): Promise<SeenRequest[]> {
  const s = startVerifyingServer({
    jobSeconds: 0,
    trainingSeconds: 0,
    campaignSeconds: 0,
    outsideData: mode !== "delete",
  });
  server = s;
  const common = {
    users: ["user-001", "user-002"],
    s3Uri: `s3://${s.emulator.bucket}/personalize/`,
    datasetGroupArn: s.emulator.datasetGroupArn,
    roleArn: ROLE_ARN,
    jobName: jobName(mode),
    tags: [{ tagKey: "purpose", tagValue: "gdpr-erasure" }],
  };
  if (mode === "delete") {
    const client = clientFor(s);
    // A bucket that puts uploads under its own KMS key, which Personalize cannot read: the upload is taken
    // back at once with a plain DELETE.
    once(
      s,
      (req) => req.method === "PUT",
      () =>
        new Response(null, {
          status: 200,
          headers: {
            "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:000000000000:key/k",
          },
        }),
    );
    expect(await client.deleteUsers(common).catch((e: unknown) => e)).toBeInstanceOf(ConfigurationError);
    // A run whose create fails for good after its upload leaves the file for a later run, whose conditional
    // upload meets it (412, then the HEAD that compares it).
    once(s, isCreate, () => refuse("InternalFailure", "try later", 500));
    expect(
      await clientFor(s, { maxAttempts: 1 })
        .deleteUsers(common)
        .catch((e: unknown) => e),
    ).toBeInstanceOf(ServiceError);
    once(s, isCreate, () =>
      refuse(
        "LimitExceededException",
        `The maximum number of PENDING data deletion jobs (5) for dataset group ${common.datasetGroupArn} has been reached`,
        400,
      ),
    );
    await client.deleteUsers({ ...common, wait: true });
    // The same list again: its job is adopted, nothing uploaded.
    await client.deleteUsers({ ...common, wait: true });
    return s.requests;
  }
  const client = erasureClientFor(s);
  const retrain = mode === "retrain";
  const outside = {
    ...(mode === "scan" && { scan: true }),
    ...(mode === "scrub" && { scrub: true }),
    ...(mode === "suppress" && {
      suppression: `s3://${SUPPRESSION_BUCKET}/erased/`,
      suppressionKey: "suppression-key-of-32-bytes-or-more",
    }),
  };
  if (mode === "suppress") {
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: s.url,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: SUPPRESSION_BUCKET }));
    s3.destroy();
    s.requests.length = 0;
  }
  if (mode === "scrub") {
    // The AWS SDK (not the code under test) makes the data bucket versioned and writes the import source
    // again, so its first version is an older one that holds the users.
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: s.url,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: DATA_BUCKET,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const source = `${s.emulator.datasetGroupArn.split("/").pop()}/interactions.csv`;
    await s3.send(
      new PutObjectCommand({ Bucket: DATA_BUCKET, Key: source, Body: "USER_ID,ITEM_ID,TIMESTAMP\n" }),
    );
    s3.destroy();
    s.requests.length = 0;
    // Another writer changes an object between the scrub's read and its write: the conditional PUT is
    // refused, and the object is read again as it now is (a GET without a version id).
    once(
      s,
      (req) => req.method === "PUT" && req.path.startsWith(`/${DATA_BUCKET}/`),
      () =>
        new Response(
          "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>",
          { status: 412, headers: { "content-type": "application/xml" } },
        ),
    );
  }
  await client.eraseUsers({ ...common, wait: true, retrain, keepUploadedFile: true, ...outside });
  const ours = s.requests.length;
  if (!retrain) {
    // A schedule of the user's trains a new version meanwhile (the AWS SDK: not the code under test).
    const sdk = new PersonalizeClient({
      region: "us-east-1",
      endpoint: s.url,
      credentials: TEST_CREDENTIALS,
    });
    const { solutions } = await sdk.send(
      new ListSolutionsCommand({ datasetGroupArn: common.datasetGroupArn }),
    );
    await sdk.send(
      new CreateSolutionVersionCommand({ solutionArn: solutions?.[0]?.solutionArn, trainingMode: "FULL" }),
    );
    sdk.destroy();
  }
  const sdkRequests = s.requests.splice(ours);
  expect(sdkRequests.length).toBe(retrain ? 0 : 2);
  await client.eraseUsers({ ...common, wait: true, retrain, ...outside });
  await client.erasureStatus({ datasetGroupArn: common.datasetGroupArn, jobName: common.jobName });
  return s.requests;
}

const runs = new Map<PermissionMode, Needed[]>();
describe.each(PERMISSION_MODES.map((m) => [m]))("%s", (mode) => {
  test("every request the flows send is allowed by the generated policy of this mode", async () => {
    const requests = await runMode(mode);
    const bucket = (server as VerifyingServer).emulator.bucket;
    const needed = requests.flatMap((r) => authorizationOf(r, bucket));
    runs.set(mode, needed);
    const policy = iamPolicy(mode, {
      roleArn: ROLE_ARN,
      bucket,
      prefix: "personalize/",
      dataBucket: DATA_BUCKET,
      suppressionBucket: SUPPRESSION_BUCKET,
      suppressionPrefix: "erased/",
    });
    const denied = needed.filter((n) => !allows(policy, n));
    expect(denied).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
  }, 60_000);

  test("every action the policy adds to the mode it builds on was needed by a request of this mode's runs", () => {
    const needed = runs.get(mode);
    if (!needed) throw new Error("the run above did not finish");
    // By action and scope: s3:PutObject on the data's objects is not s3:PutObject on the upload prefix.
    const used = new Set(needed.map((n) => `${n.action} on ${scopeOf(n)}`));
    const base = MODE_BASE[mode];
    const before = base ? grantsOf(base) : [];
    // Only a rewrite that fails midway aborts its multipart upload: test/outside/write-back.test.ts shows
    // that path against the emulator; an erasure's run has no failing rewrite to show it with.
    const onFailureOnly = ["s3:AbortMultipartUpload on data-object"];
    const added = grantsOf(mode).filter((a) => !before.includes(a) && !onFailureOnly.includes(a));
    expect(added.filter((a) => !used.has(a))).toEqual([]);
    // What it inherits, the runs of the modes it builds on needed (so every action of it was needed).
    const earlier = new Set(
      modesUnder(mode)
        .slice(0, -1)
        .flatMap((m) => (runs.get(m) ?? []).map((n) => `${n.action} on ${scopeOf(n)}`)),
    );
    expect(before.filter((a) => !used.has(a) && !earlier.has(a))).toEqual([]);
  });
});

test("a policy is the least of its mode: the one it builds on refuses something each mode sends", () => {
  for (const mode of PERMISSION_MODES) {
    const before = MODE_BASE[mode];
    if (!before) continue;
    const needed = runs.get(mode) ?? [];
    const policy = iamPolicy(before, {
      roleArn: ROLE_ARN,
      bucket: "emulator-deletions",
      prefix: "personalize/",
      dataBucket: DATA_BUCKET,
      suppressionBucket: SUPPRESSION_BUCKET,
      suppressionPrefix: "erased/",
    });
    expect({ mode, refused: needed.some((n) => !allows(policy, n)) }).toEqual({ mode, refused: true });
  }
});

// ---- The list against the source ----
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}
const core = sources("src").filter(
  (f) =>
    !/^src\/(emulator|cli|node)\//.test(f) && !/(^|\/)model\.ts$/.test(f) && !f.endsWith("permissions.ts"),
);
const text = (f: string) => readFileSync(join(ROOT, f), "utf8");

/** The operations src/ sends: Personalize by the name it passes to its callers, S3 by each request's label. */
function calledOperations(): Set<string> {
  const called = new Set<string>();
  for (const file of core) {
    const src = text(file);
    for (const m of src.matchAll(/\bapi\.(?:call|callOnce|list)(?:<[^(]*?>)?\(\s*"(\w+)"/g))
      called.add(m[1] as string);
    // src/aws/operation.ts's call and paginate, as the jobs client uses them: call(this.personalize, "Op", ...).
    for (const m of src.matchAll(/\b(?:call|paginate|listAll)\(\s*[\w.]+,\s*"(\w+)"/g))
      called.add(m[1] as string);
    for (const m of src.matchAll(/operation: "(\w+)",[\s\S]{0,200}?url(?:: ([^\n]*)|,)/g)) {
      const url = m[2] ?? "";
      if (m[1] === "DeleteObject" && /versionId/.test(url)) {
        called.add("DeleteObject?versionId");
        // One DELETE serves both: without a version id (versionQuery gives nothing) it deletes the object.
        if (/versionQuery\(/.test(url)) called.add("DeleteObject");
      } else called.add(m[1] as string);
    }
    for (const m of src.matchAll(/service: "s3", operation: "(\w+)"/g)) called.add(m[1] as string);
  }
  return called;
}

test("every operation the module lists is called in src/, and every call in src/ is listed", () => {
  const called = calledOperations();
  const listed = new Set(OPERATION_PERMISSIONS.map((o) => o.operation));
  expect({ unlisted: [...called].filter((o) => !listed.has(o)).sort() }).toEqual({ unlisted: [] });
  expect({ unused: [...listed].filter((o) => !called.has(o)).sort() }).toEqual({ unused: [] });
});

test("the Personalize operations listed are exactly the ones the client has a model for", () => {
  const modeled = new Set<string>([...Object.keys(operations), ...erasureClientOperations]);
  const listed = new Set(
    OPERATION_PERMISSIONS.filter((o) => o.service === "personalize").map((o) => o.operation),
  );
  expect([...listed].sort()).toEqual([...modeled].sort());
});

test("the grep above finds calls: it sees the survey, the retrain and each S3 request label", () => {
  const called = calledOperations();
  for (const op of [
    "ListBatchSegmentJobs",
    "UpdateCampaign",
    "CreateDataDeletionJob",
    "PutObject",
    "DeleteObject?versionId",
  ])
    expect(called).toContain(op);
});

// ---- The README shows the generated policies ----
test("the README's policy for each mode, and the service role's, are the generated ones", () => {
  const readme = text("README.md");
  const found = readmePolicies(readme);
  for (const mode of PERMISSION_MODES)
    expect({ mode, policy: found.get(mode) }).toEqual({
      mode,
      policy: iamPolicy(mode, README_POLICY_TARGET),
    });
  expect(found.get("service-role")).toEqual(serviceRolePolicy(README_POLICY_TARGET));
});

test("'Against real AWS' names every permission its own example needs", () => {
  const readme = text("README.md");
  const section = readme.slice(readme.indexOf("## Against real AWS"), readme.indexOf("## CLI"));
  // Its example is `delete-users --wait` without --retrain: the complete erasure's mode.
  const example = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  expect(example).toMatch(/delete-users [\s\S]*--wait\n$/);
  expect(example).not.toContain("--retrain");
  const missing = actionsOf("erasure").filter((a) => !section.includes(`\`${a}\``));
  expect(missing).toEqual([]);
});
