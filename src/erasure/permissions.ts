// The IAM policy each way of running needs, built from the operations the code sends. The README's policies
// are printed from here (`npm run gen:iam`), and test/erasure/permissions.test.ts holds this list against the code:
// every operation named here is called by src/, every call in src/ is named here, and every request the
// flows send to the emulator in each mode is allowed by the policy of that mode.

/** How the library is run; each mode needs what the mode it builds on ({@link MODE_BASE}) needs. */
export type PermissionMode = "delete" | "erasure" | "retrain" | "scan" | "scrub" | "suppress";

/** The modes, each after the one it builds on. */
export const PERMISSION_MODES: readonly PermissionMode[] = [
  "delete",
  "erasure",
  "retrain",
  "scan",
  "scrub",
  "suppress",
];

/**
 * The mode each one adds to: retrain, the outside stage's scan and the suppression list each build on the
 * erasure (a run that does two of them needs both policies), the scrub on the scan.
 */
export const MODE_BASE: Readonly<Record<PermissionMode, PermissionMode | undefined>> = {
  delete: undefined,
  erasure: "delete",
  retrain: "erasure",
  scan: "erasure",
  scrub: "scan",
  suppress: "erasure",
};

/** `mode` and every mode under it, the first first. */
export function modesUnder(mode: PermissionMode): PermissionMode[] {
  const chain: PermissionMode[] = [];
  for (let m: PermissionMode | undefined = mode; m; m = MODE_BASE[m]) chain.unshift(m);
  return chain;
}

/**
 * What an IAM action is granted on: any Personalize resource, the service role, the upload bucket or its
 * keys, the buckets and objects of the data around Personalize (import sources, batch files, exports), or
 * the suppression list's bucket and prefix.
 */
export type GrantScope =
  | "personalize"
  | "role"
  | "bucket"
  | "object"
  | "data-bucket"
  | "data-object"
  | "suppression-bucket"
  | "suppression-object";

/** One IAM action an operation needs, on what, and why when the action's name does not say it. */
export interface Grant {
  action: string;
  on: GrantScope;
  why?: string;
}

/** An operation the library sends, the mode that first sends it, and the IAM actions AWS checks for it. */
export interface OperationPermissions {
  operation: string;
  service: "personalize" | "s3";
  mode: PermissionMode;
  grants: readonly Grant[];
}

const personalize = (operation: string, mode: PermissionMode, ...more: Grant[]): OperationPermissions => ({
  operation,
  service: "personalize",
  mode,
  grants: [{ action: `personalize:${operation}`, on: "personalize" }, ...more],
});

/**
 * Every operation the library sends, by the mode that first needs it. Personalize's action names are its
 * operations' (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
 * Personalize"); S3's differ where its reference says so.
 */
export const OPERATION_PERMISSIONS: readonly OperationPermissions[] = [
  // delete: DataDeletionClient.deleteUsers, the CLI's create/describe/list/wait.
  personalize(
    "CreateDataDeletionJob",
    "delete",
    {
      action: "personalize:TagResource",
      on: "personalize",
      why: "a create with tags (the list's erasure-sha256 tag, and yours)",
    },
    { action: "iam:PassRole", on: "role", why: "the service role the job reads the file with" },
  ),
  personalize("DescribeDataDeletionJob", "delete"),
  personalize("ListDataDeletionJobs", "delete"),
  personalize("ListTagsForResource", "delete"),
  {
    operation: "PutObject",
    service: "s3",
    mode: "delete",
    grants: [{ action: "s3:PutObject", on: "object" }],
  },
  {
    operation: "HeadObject",
    service: "s3",
    mode: "delete",
    grants: [
      { action: "s3:GetObject", on: "object", why: "HeadObject is authorized as s3:GetObject" },
      {
        action: "s3:ListBucket",
        on: "bucket",
        why: "without it S3 answers a missing key's HEAD with 403, not 404",
      },
    ],
  },
  {
    operation: "DeleteObject",
    service: "s3",
    mode: "delete",
    grants: [
      {
        action: "s3:DeleteObject",
        on: "object",
        why: "an upload a KMS-encrypting bucket got is taken back at once; the cleanup where versions cannot be listed",
      },
    ],
  },
  // Every version of the uploaded file goes once no job needs it (a plain DELETE on a versioned bucket
  // only hides the ids behind a marker).
  {
    operation: "ListObjectVersions",
    service: "s3",
    mode: "delete",
    grants: [
      {
        action: "s3:ListBucketVersions",
        on: "bucket",
        why: "ListObjectVersions is authorized as s3:ListBucketVersions",
      },
    ],
  },
  {
    operation: "DeleteObject?versionId",
    service: "s3",
    mode: "delete",
    grants: [{ action: "s3:DeleteObjectVersion", on: "object", why: "a DELETE with a versionId" }],
  },
  // erasure: eraseUsers / continueErasure / erasureStatus without retrain, the CLI's delete-users and status,
  // the action: the survey of what uses the dataset group's data, the receipt's models and campaigns.
  personalize("ListDatasets", "erasure"),
  personalize("ListDatasetImportJobs", "erasure"),
  personalize("ListSolutions", "erasure"),
  personalize("ListSolutionVersions", "erasure"),
  personalize("DescribeSolutionVersion", "erasure"),
  personalize("ListCampaigns", "erasure"),
  personalize("DescribeCampaign", "erasure"),
  personalize("ListRecommenders", "erasure"),
  personalize("ListBatchInferenceJobs", "erasure"),
  personalize("ListBatchSegmentJobs", "erasure"),
  // Every receipt lists where the users' data lives outside Personalize, from the jobs' records
  // (src/outside/discover.ts), with or without a scan.
  personalize("DescribeDataset", "erasure"),
  personalize("DescribeSchema", "erasure"),
  personalize("DescribeDatasetImportJob", "erasure"),
  personalize("DescribeBatchInferenceJob", "erasure"),
  personalize("DescribeBatchSegmentJob", "erasure"),
  personalize("ListDatasetExportJobs", "erasure"),
  personalize("DescribeDatasetExportJob", "erasure"),
  // retrain: eraseUsers with retrain, the CLI's --retrain, the action's retrain: true.
  personalize("CreateSolutionVersion", "retrain"),
  personalize("UpdateCampaign", "retrain"),
  // scan: eraseUsers with scan, the CLI's --scan, the action's scan: true. Every version of every object
  // under each location is listed and read (src/outside/expand.ts, read-object.ts).
  {
    operation: "ListObjectVersions",
    service: "s3",
    mode: "scan",
    grants: [
      {
        action: "s3:ListBucketVersions",
        on: "data-bucket",
        why: "each location's objects and their older versions, which hold the users too",
      },
    ],
  },
  {
    operation: "GetObject",
    service: "s3",
    mode: "scan",
    grants: [
      { action: "s3:GetObjectVersion", on: "data-object", why: "each version is read by its version id" },
    ],
  },
  // scrub: also rewrites each object holding erased users in place (src/outside/write-back.ts) and deletes
  // the older versions that held them.
  {
    operation: "GetObject",
    service: "s3",
    mode: "scrub",
    grants: [
      {
        action: "s3:GetObject",
        on: "data-object",
        why: "an object another writer changed meanwhile (412) is read again as it now is, without a version id",
      },
    ],
  },
  {
    operation: "PutObject",
    service: "s3",
    mode: "scrub",
    grants: [{ action: "s3:PutObject", on: "data-object", why: "the object rewritten without them" }],
  },
  ...["CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"].map(
    (operation): OperationPermissions => ({
      operation,
      service: "s3",
      mode: "scrub",
      grants: [{ action: "s3:PutObject", on: "data-object", why: "a large object is rewritten in parts" }],
    }),
  ),
  {
    operation: "AbortMultipartUpload",
    service: "s3",
    mode: "scrub",
    grants: [
      {
        action: "s3:AbortMultipartUpload",
        on: "data-object",
        why: "a rewrite that fails leaves no parts behind",
      },
    ],
  },
  {
    operation: "DeleteObject?versionId",
    service: "s3",
    mode: "scrub",
    grants: [
      {
        action: "s3:DeleteObjectVersion",
        on: "data-object",
        why: "an older version that held them",
      },
    ],
  },
  // suppress: eraseUsers with suppression, the CLI's --suppression, the action's suppression: the erased
  // users' keyed hashes are written as a new object of the list (src/outside/suppression-store.ts), after
  // listing it (a run that wrote them already writes nothing).
  {
    operation: "ListObjectsV2",
    service: "s3",
    mode: "suppress",
    grants: [{ action: "s3:ListBucket", on: "suppression-bucket", why: "the list's objects" }],
  },
  {
    operation: "PutObject",
    service: "s3",
    mode: "suppress",
    grants: [{ action: "s3:PutObject", on: "suppression-object", why: "this erasure's hashes" }],
  },
];

/** The operations `mode` sends (those of the modes under it included). */
export function operationsOf(mode: PermissionMode): OperationPermissions[] {
  const modes = modesUnder(mode);
  return OPERATION_PERMISSIONS.filter((o) => modes.includes(o.mode));
}

/** Where the policy grants: the service role passed to Personalize, the upload location, the data around it. */
export interface PolicyTarget {
  /** The role given as `roleArn` (`role-arn`, `--role-arn`). */
  roleArn: string;
  /** The bucket of `s3Uri`. */
  bucket: string;
  /** The key prefix of `s3Uri` (`personalize/`), or "" for the whole bucket. */
  prefix: string;
  /**
   * The bucket the data around Personalize is in (import sources, batch files, exports), for `scan` and
   * `scrub`; `*` (the default) for any bucket the jobs' records name.
   */
  dataBucket?: string;
  /** The bucket of the suppression list (`suppression`), for `suppress`; `*` (the default) for any. */
  suppressionBucket?: string;
  /** Its key prefix (`suppression/`), or "" (the default) for the whole bucket. */
  suppressionPrefix?: string;
}

/** An IAM policy statement. */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** The IAM actions `mode` needs on `scope`, in the order the operations are listed, each once. */
export function actionsOf(mode: PermissionMode, scope?: GrantScope): string[] {
  const actions = operationsOf(mode)
    .flatMap((o) => o.grants)
    .filter((g) => scope === undefined || g.on === scope)
    .map((g) => g.action);
  return [...new Set(actions)];
}

/**
 * The least policy the caller (the user, the CI role, the Worker's keys) needs for `mode`. Personalize's
 * List operations take no resource ARN, so its actions are granted on `*`; PassRole only on the service
 * role and only to Personalize; S3 on the bucket and the upload prefix, for `scan` and `scrub` on the data
 * bucket (`dataBucket`), for `suppress` on the suppression list's bucket and prefix.
 */
export function iamPolicy(mode: PermissionMode, target: PolicyTarget): PolicyDocument {
  const partition = /^arn:([a-z-]+):/.exec(target.roleArn)?.[1] ?? "aws";
  const statements: PolicyStatement[] = [
    { Sid: "Personalize", Effect: "Allow", Action: actionsOf(mode, "personalize"), Resource: "*" },
    {
      Sid: "PassTheServiceRole",
      Effect: "Allow",
      Action: actionsOf(mode, "role"),
      Resource: target.roleArn,
      Condition: { StringEquals: { "iam:PassedToService": "personalize.amazonaws.com" } },
    },
    {
      Sid: "TheBucket",
      Effect: "Allow",
      Action: actionsOf(mode, "bucket"),
      Resource: `arn:${partition}:s3:::${target.bucket}`,
    },
    {
      Sid: "TheUploadPrefix",
      Effect: "Allow",
      Action: actionsOf(mode, "object"),
      Resource: `arn:${partition}:s3:::${target.bucket}/${target.prefix}*`,
    },
    {
      Sid: "TheDataBuckets",
      Effect: "Allow",
      Action: actionsOf(mode, "data-bucket"),
      Resource: `arn:${partition}:s3:::${target.dataBucket ?? "*"}`,
    },
    {
      Sid: "TheDataObjects",
      Effect: "Allow",
      Action: actionsOf(mode, "data-object"),
      Resource: `arn:${partition}:s3:::${target.dataBucket ?? "*"}/*`,
    },
    {
      Sid: "TheSuppressionBucket",
      Effect: "Allow",
      Action: actionsOf(mode, "suppression-bucket"),
      Resource: `arn:${partition}:s3:::${target.suppressionBucket ?? "*"}`,
    },
    {
      Sid: "TheSuppressionPrefix",
      Effect: "Allow",
      Action: actionsOf(mode, "suppression-object"),
      Resource: `arn:${partition}:s3:::${target.suppressionBucket ?? "*"}/${target.suppressionPrefix ?? ""}*`,
    },
  ];
  return { Version: "2012-10-17", Statement: statements.filter((s) => s.Action.length > 0) };
}

/**
 * The policy of the service role itself (`roleArn`), which Personalize assumes to read the deletion file:
 * the guide asks for s3:GetObject and s3:ListBucket on the bucket and its content (its trust policy names
 * `personalize.amazonaws.com`).
 */
export function serviceRolePolicy(
  target: Omit<PolicyTarget, "roleArn"> & { partition?: string },
): PolicyDocument {
  const partition = target.partition ?? "aws";
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadTheBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: `arn:${partition}:s3:::${target.bucket}`,
      },
      {
        Sid: "ReadTheDeletionFiles",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: `arn:${partition}:s3:::${target.bucket}/${target.prefix}*`,
      },
    ],
  };
}
