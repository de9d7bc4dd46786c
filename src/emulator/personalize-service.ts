// The Personalize side of the emulator: the three data deletion operations over validated input, and the
// erasure's operations (models-service.ts) behind the same checks.
import * as v from "valibot";
import { emulatorOnlyShapes, erasureOperations, erasureShapes } from "../erasure/model.ts";
import { type ErasureOperation, inputSchemaFrom } from "../erasure/schemas.ts";
import { inputSchema } from "../schemas.ts";
import { modelsService } from "./models-service.ts";
import type { EmulatorState } from "./state.ts";
import type { EmulatorJob, Tag } from "./state-types.ts";
import { createTagsProblem, TAG_INPUT_SCHEMAS, tagService } from "./tags.ts";
import { jsonError, jsonOk, validationMessage } from "./wire.ts";

const INPUT_SCHEMAS: Record<string, v.GenericSchema> = {
  CreateDataDeletionJob: inputSchema("CreateDataDeletionJobRequest", false),
  DescribeDataDeletionJob: inputSchema("DescribeDataDeletionJobRequest", false),
  ListDataDeletionJobs: inputSchema("ListDataDeletionJobsRequest", false),
  ...Object.fromEntries(
    Object.keys(erasureOperations).map((op) => [
      op,
      inputSchemaFrom(op as ErasureOperation, { ...erasureShapes, ...emulatorOnlyShapes }),
    ]),
  ),
  ...TAG_INPUT_SCHEMAS,
};

function toWire(job: EmulatorJob, summary: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    dataDeletionJobArn: job.dataDeletionJobArn,
    datasetGroupArn: job.datasetGroupArn,
    jobName: job.jobName,
    status: job.status,
    creationDateTime: job.createdAt / 1000,
    lastUpdatedDateTime: job.updatedAt / 1000,
  };
  if (!summary) {
    out.dataSource = { dataLocation: job.dataLocation };
    out.roleArn = job.roleArn;
    if (job.numDeleted !== undefined) out.numDeleted = job.numDeleted;
  }
  if (job.failureReason) out.failureReason = job.failureReason;
  return out;
}

/** Pagination tokens that the emulator can check: the position and the filter, with a keyed checksum. */
export function tokenCodec() {
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16)).join("");
  const checksum = (text: string) => {
    let h = 0x811c9dc5;
    for (const c of `${secret}${text}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return (h >>> 0).toString(36);
  };
  return {
    encode(afterSeq: number, dsg: string | undefined): string {
      const payload = `${afterSeq}|${dsg ?? ""}`;
      return btoa(`${payload}|${checksum(payload)}`).replace(/=+$/, "");
    },
    decode(token: string, dsg: string | undefined): number | undefined {
      let text: string;
      try {
        text = atob(token);
      } catch {
        return undefined;
      }
      const [seq, tokenDsg, sum] = text.split("|");
      if (sum !== checksum(`${seq}|${tokenDsg}`) || (tokenDsg || undefined) !== dsg) return undefined;
      const n = Number(seq);
      return Number.isInteger(n) ? n : undefined;
    },
  };
}

/** What the service needs from the emulator around it. */
export interface ServiceHooks {
  now(): number;
  /** Moves every job along to the present. */
  advance(): Promise<void>;
  /** Something changed: persist it. */
  changed(): void;
}

/** The Personalize operations: `(X-Amz-Target, parsed JSON body)` to an answer. */
export function personalizeService(state: EmulatorState, hooks: ServiceHooks) {
  const tokens = tokenCodec();
  const models = modelsService(state, { ...hooks, tokens });
  const tagging = tagService(state, hooks.changed);
  const notFound = (arn: string) =>
    jsonError(400, "ResourceNotFoundException", `Could not find resource with ARN ${arn}`);

  async function create(req: {
    jobName: string;
    datasetGroupArn: string;
    roleArn: string;
    dataSource: { dataLocation?: string };
    tags?: Tag[];
  }): Promise<Response> {
    if (!state.datasetGroups.has(req.datasetGroupArn)) return notFound(req.datasetGroupArn);
    if (!req.dataSource.dataLocation) {
      return jsonError(400, "InvalidInputException", "dataSource.dataLocation is required");
    }
    const arn = state.jobArn(req.jobName);
    if (state.jobs.has(arn)) {
      return jsonError(
        400,
        "ResourceAlreadyExistsException",
        `Data deletion job with name ${req.jobName} already exists`,
      );
    }
    const tagsRefused = createTagsProblem(req.tags);
    if (tagsRefused) return tagsRefused;
    if (state.pendingCount(req.datasetGroupArn) >= state.options.pendingLimit) {
      return jsonError(
        400,
        "LimitExceededException",
        `The maximum number of PENDING data deletion jobs (${state.options.pendingLimit}) for dataset group ${req.datasetGroupArn} has been reached`,
      );
    }
    const at = hooks.now();
    state.jobs.set(arn, {
      seq: ++state.seq,
      jobName: req.jobName,
      dataDeletionJobArn: arn,
      datasetGroupArn: req.datasetGroupArn,
      dataLocation: req.dataSource.dataLocation,
      roleArn: req.roleArn,
      tags: req.tags ?? [],
      status: "PENDING",
      createdAt: at,
      updatedAt: at,
    });
    hooks.changed();
    if (state.options.jobSeconds === 0) await hooks.advance();
    return jsonOk({ dataDeletionJobArn: arn });
  }

  function list(req: { datasetGroupArn?: string; maxResults?: number; nextToken?: string }): Response {
    let after = Number.POSITIVE_INFINITY;
    if (req.nextToken !== undefined) {
      const decoded = tokens.decode(req.nextToken, req.datasetGroupArn);
      if (decoded === undefined)
        return jsonError(400, "InvalidNextTokenException", "The next token is invalid.");
      after = decoded;
    }
    const max = req.maxResults ?? 100;
    const matching = [...state.jobs.values()]
      .filter((j) => j.seq < after && (!req.datasetGroupArn || j.datasetGroupArn === req.datasetGroupArn))
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, max);
    const body: Record<string, unknown> = { dataDeletionJobs: page.map((j) => toWire(j, true)) };
    const last = page[page.length - 1];
    if (matching.length > max && last) body.nextToken = tokens.encode(last.seq, req.datasetGroupArn);
    return jsonOk(body);
  }

  const handle = async (target: string, input: Record<string, unknown>): Promise<Response> => {
    const operation = target.replace(/^AmazonPersonalize\./, "");
    const schema = INPUT_SCHEMAS[operation];
    if (!target.startsWith("AmazonPersonalize.") || !schema) {
      return jsonError(400, "UnknownOperationException", `Unknown operation ${target}`);
    }
    const parsed = v.safeParse(schema, input, { abortPipeEarly: true });
    if (!parsed.success) return jsonError(400, "InvalidInputException", validationMessage(parsed.issues));
    await hooks.advance();
    if (tagging.handles(operation)) return tagging.call(operation, parsed.output as Record<string, unknown>);
    if (models.handles(operation)) {
      const answer = await models.call(operation, parsed.output as Record<string, unknown>);
      // With no training or update time, what was started is done at once, as a job with no job time is.
      if (answer.ok) await hooks.advance();
      return answer;
    }
    if (operation === "CreateDataDeletionJob") return create(parsed.output as Parameters<typeof create>[0]);
    if (operation === "DescribeDataDeletionJob") {
      const { dataDeletionJobArn } = parsed.output as { dataDeletionJobArn: string };
      const job = state.jobs.get(dataDeletionJobArn);
      return job ? jsonOk({ dataDeletionJob: toWire(job, false) }) : notFound(dataDeletionJobArn);
    }
    return list(parsed.output as Parameters<typeof list>[0]);
  };
  return Object.assign(handle, { models: models.models });
}
