// Stage 1 of the deletion flow: every input and every part's create request checked before anything is
// sent, the ids prepared, each part's file hashed and tagged with its list.
import { sha256Hex } from "../aws/hash.ts";
import { parseS3Uri } from "../aws/s3.ts";
import { ValidationError } from "../errors.ts";
import { CreateDataDeletionJobInputSchema, validate } from "../model/schemas.ts";
import type { CreateDataDeletionJobInput, Tag } from "../model/types.ts";
import type { DeleteUsersInput, FlowContext } from "./context.ts";
import { type PreparedDeletionFile, prepareUsers } from "./file.ts";
import { checkArnRegion } from "./jobs-client.ts";
import { type ListDigest, listTags } from "./names.ts";
import { type PlannedPart, planParts, uniqueSuffix } from "./upload-plan.ts";

/** One part of a plan: where its file goes, its job's validated create request, and its file's digest. */
export type PlannedDeletion = PlannedPart & {
  request: CreateDataDeletionJobInput;
  /** SHA-256 (hex) of the part's file, also in the request's `erasure-sha256` tag; absent for a given `dataLocation`. */
  sha256?: string;
  /** Unique ids in the part's file; absent for a given `dataLocation`. */
  userCount?: number;
  /** The part's file, to upload; absent for a given `dataLocation`. */
  body?: Uint8Array;
};

/** What `planDeletion` decided: the parts, each with its validated create request. */
export interface DeletionPlan {
  /** The job name: as given, derived from the list, or the default. Parts of a split list add `-part-N`. */
  jobName: string;
  parts: PlannedDeletion[];
  /** Where the parts go when the flow uploads them; absent for a given `dataLocation`. */
  bucket: string | undefined;
  /** The files to upload (none for a given `dataLocation`). */
  prepared: PreparedDeletionFile;
}

const NOTHING_PREPARED: PreparedDeletionFile = { files: [], userCount: 0, duplicateCount: 0, bytes: 0 };

/**
 * Stage 1: checks every input and every part's create request before anything is sent, and prepares the
 * ids. A job name too long for its `-part-N` suffix fails here, not after the first upload.
 */
export async function planDeletion(context: FlowContext, input: DeleteUsersInput): Promise<DeletionPlan> {
  const given = input.jobName;
  const fallback = `delete-users-${uniqueSuffix(context.jobs.clock).replace("T", "-")}`;
  const request = (part: PlannedPart, tags: Tag[] = []): CreateDataDeletionJobInput =>
    validate(
      CreateDataDeletionJobInputSchema,
      {
        jobName: part.jobName,
        datasetGroupArn: input.datasetGroupArn,
        roleArn: input.roleArn,
        dataSource: { dataLocation: part.dataLocation },
        ...(input.tags || tags.length > 0 ? { tags: [...(input.tags ?? []), ...tags] } : {}),
      },
      "deleteUsers",
    );
  if ((input.dataLocation === undefined) === (input.users === undefined)) {
    throw new ValidationError(
      [
        {
          path: "users",
          rule: "give users and s3Uri, or dataLocation",
          received: typeof input.users,
        },
      ],
      "deleteUsers",
    );
  }
  if (typeof input.datasetGroupArn === "string") checkArnRegion(input.datasetGroupArn, context.jobs.region);
  if (input.users === undefined) {
    // A data location is taken as literally as an upload target: no . or .. segments.
    parseS3Uri(input.dataLocation, "dataLocation");
    if (typeof given === "function") {
      throw new ValidationError(
        [
          {
            path: "jobName",
            rule: "a name derived from the list needs users, not dataLocation",
            received: "a function",
          },
        ],
        "deleteUsers",
      );
    }
    const part = { key: "", dataLocation: input.dataLocation as string, jobName: given ?? fallback };
    return {
      jobName: part.jobName,
      parts: [{ ...part, request: request(part) }],
      bucket: undefined,
      prepared: NOTHING_PREPARED,
    };
  }
  const target = parseS3Uri(input.s3Uri);
  // One part's request is checked before the ids are prepared, so a bad ARN costs no preparation (a name
  // still to be derived from the list is checked once it is).
  const early = typeof given === "string" ? given : fallback;
  request(planParts(target, 1, early)[0] as PlannedPart, listTags("0".repeat(64), 0));
  const prepared = await prepareUsers(input.users, {
    maxFileBytes: input.maxFileBytes,
    trimIds: input.trimIds,
    maxListBytes: input.maxListBytes,
  });
  const digests = await Promise.all(prepared.files.map((file) => sha256Hex(file)));
  const counts = prepared.files.map(countLines);
  const list: ListDigest = {
    sha256:
      digests.length === 1
        ? (digests[0] as string)
        : await sha256Hex(new TextEncoder().encode(digests.join("\n"))),
    userCount: prepared.userCount,
  };
  const jobName = typeof given === "function" ? given(list) : (given ?? fallback);
  const parts = planParts(target, prepared.files.length, jobName).map((part, i) => ({
    ...part,
    request: request(part, listTags(digests[i] as string, counts[i] as number)),
    body: prepared.files[i] as Uint8Array,
    sha256: digests[i] as string,
    userCount: counts[i] as number,
  }));
  return { jobName, parts, bucket: target.bucket, prepared };
}

// The ids in a prepared file: its lines less the header (an id never holds a newline).
function countLines(file: Uint8Array): number {
  let lines = 0;
  for (let at = file.indexOf(10); at !== -1; at = file.indexOf(10, at + 1)) lines++;
  return lines - 1;
}
