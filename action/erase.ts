// What the action asks of the library: its client and the erasure's input, from the inputs. The ids are
// prepared by the flow itself, once it has checked every other input: a typo costs no pass over the file.
import { basename } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import { type EraseUsersEvent, type EraseUsersInput, ErasureClient } from "../src/erasure/index.ts";
import { prepareDeletionCsv, serializeUserIds } from "../src/index.ts";
import { fileSource } from "../src/node/index.ts";
import { globFiles } from "./glob.ts";
import { type ActionInputs, defaultJobName, InputError, type RunContext } from "./inputs.ts";

/** The repository and run this step belongs to, as far as the runner says. */
export function runContext(): RunContext {
  let repository: string | undefined;
  try {
    const { owner, repo } = github.context.repo;
    repository = `${owner}/${repo}`;
  } catch {
    repository = undefined;
  }
  return {
    repository,
    runId: github.context.runId || undefined,
    runAttempt: github.context.runAttempt || undefined,
  };
}

/** The erasure's client, aimed where the inputs say; refused without credentials in the environment. */
export function erasureClient(inputs: ActionInputs, env: NodeJS.ProcessEnv): ErasureClient {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new InputError(
      "credentials",
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: run aws-actions/configure-aws-credentials before this step",
    );
  }
  const s3Endpoint = inputs.s3EndpointUrl || inputs.endpointUrl;
  return new ErasureClient({
    region: inputs.region,
    ...(inputs.endpointUrl ? { endpoint: inputs.endpointUrl } : {}),
    ...(s3Endpoint ? { s3Endpoint } : {}),
    logger: { debug: (m) => core.debug(m), warn: (m) => core.warning(m) },
  });
}

/**
 * The erasure the inputs ask for. Without a job-name, the name is derived from the list once it is prepared
 * and written back to `inputs.jobName`, where the outputs and the resume commands read it.
 */
export function eraseInput(
  inputs: ActionInputs,
  onProgress: (event: EraseUsersEvent) => void,
): EraseUsersInput {
  const source = inputs.users;
  const prepare = { maxFileBytes: inputs.maxFileBytes, trimIds: inputs.trimIds };
  return {
    ...(source.kind === "location"
      ? { dataLocation: source.dataLocation }
      : {
          users:
            source.kind === "file"
              ? () => prepareFiles(source.pattern, prepare)
              : () => serializeUserIds(source.ids, prepare),
          s3Uri: inputs.s3Uri as string,
        }),
    datasetGroupArn: inputs.datasetGroupArn,
    roleArn: inputs.roleArn,
    jobName: inputs.jobName ?? ((list) => (inputs.jobName = defaultJobName(runContext(), list))),
    ...(inputs.tags ? { tags: inputs.tags } : {}),
    ...prepare,
    keepUploadedFile: inputs.keepUploadedFile,
    failOnJobFailure: inputs.failOnJobFailure,
    wait: inputs.wait
      ? { timeoutMs: inputs.waitTimeoutMinutes * 60_000, maxDelayMs: inputs.pollIntervalSeconds * 1000 }
      : false,
    ifBusy: inputs.ifBusy,
    repeatOnInterference: inputs.repeatOnInterference,
    ...(inputs.retrain
      ? { retrain: { trainingMode: inputs.trainingMode, updateCampaigns: inputs.updateCampaigns } }
      : {}),
    ...outsideInput(inputs.outside),
    onProgress,
  };
}

// The erasure's choices past Personalize's edge, as the library names them (only what was asked).
function outsideInput(outside: ActionInputs["outside"]): Partial<EraseUsersInput> {
  return {
    ...(outside.scan && { scan: true }),
    ...(outside.scrub && { scrub: true }),
    ...(outside.locations.length && { locations: outside.locations }),
    ...(outside.suppression !== undefined && {
      suppression: outside.suppression,
      suppressionKey: outside.suppressionKey,
    }),
  };
}

async function prepareFiles(pattern: string, options: { maxFileBytes: number; trimIds: boolean }) {
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const files = globFiles(pattern, cwd);
  if (files.length === 0) throw new InputError("user-ids-file", "matches no file", pattern);
  core.info(`Reading ${files.map((f) => basename(f)).join(", ")}`);
  // Each file is streamed as it is parsed, one at a time: a large list is never held whole.
  const sources = [];
  for (const path of files) sources.push(await fileSource(path));
  return prepareDeletionCsv(sources, { headerless: "auto", ...options });
}
