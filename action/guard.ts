// The action's guard mode (input guard-import-source): before a workflow imports a source into Personalize,
// read it against the suppression list and fail the step when it would bring erased users back, naming the
// objects and counts (never an id); with scrub, remove their rows in place first.
import * as core from "@actions/core";
import { ErasureClient, guardImport, SuppressionList } from "../src/erasure/index.ts";
import { fail } from "./explain.ts";
import { InputError, parseBoolean, SUPPRESSION_KEY_ENV } from "./inputs.ts";

/** What guard mode reads: the source, the list, its key, and where to send requests. */
export interface GuardInputs {
  source: string;
  suppression: string;
  suppressionKey: string;
  scrub: boolean;
  region: string;
  endpointUrl: string | undefined;
  s3EndpointUrl: string | undefined;
}

/** Reads guard mode's inputs; the users' inputs of an erasure do not belong here. */
export function readGuardInputs(
  get: (name: string) => string,
  env: Record<string, string | undefined>,
): GuardInputs {
  const source = get("guard-import-source").trim();
  for (const name of ["user-ids-file", "user-ids", "data-location"]) {
    if (get(name).trim()) {
      throw new InputError(
        name,
        "goes with an erasure, not with guard-import-source (a step either erases or guards an import)",
      );
    }
  }
  const suppression = get("suppression").trim();
  if (!suppression) throw new InputError("suppression", "is required with guard-import-source");
  const suppressionKey = env[SUPPRESSION_KEY_ENV];
  if (!suppressionKey) {
    throw new InputError(
      "suppression",
      `needs the ${SUPPRESSION_KEY_ENV} environment variable (the list's key, at least 32 bytes)`,
    );
  }
  const scrub = get("scrub").trim();
  if (!["", "true", "false"].includes(scrub)) throw new InputError("scrub", "must be true or false", scrub);
  const region = get("aws-region").trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || "";
  if (!region) throw new InputError("aws-region", "is required when AWS_REGION is not set");
  return {
    source,
    suppression,
    suppressionKey,
    scrub: parseBoolean(get, "scrub", false),
    region,
    endpointUrl: get("endpoint-url").trim() || undefined,
    s3EndpointUrl: get("s3-endpoint-url").trim() || undefined,
  };
}

/** Guard mode: outputs guard-ok and suppressed-rows; the step fails when the source is not ok. */
export async function runGuard(): Promise<void> {
  let inputs: GuardInputs;
  try {
    inputs = readGuardInputs((name) => core.getInput(name), process.env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return fail(error.message, `Invalid input: ${error.input}`);
  }
  try {
    const s3Endpoint = inputs.s3EndpointUrl || inputs.endpointUrl;
    const client = new ErasureClient({
      region: inputs.region,
      ...(inputs.endpointUrl ? { endpoint: inputs.endpointUrl } : {}),
      ...(s3Endpoint ? { s3Endpoint } : {}),
    });
    const list = await SuppressionList.load(client.s3, inputs.suppression, inputs.suppressionKey);
    const report = await guardImport({
      s3: client.s3,
      source: inputs.source,
      suppression: list,
      scrub: inputs.scrub,
    });
    core.setOutput("guard-ok", String(report.ok));
    core.setOutput("suppressed-rows", String(report.suppressedRows));
    for (const o of report.objects) {
      core.info(
        `${o.key}${o.noncurrent ? ` (older version ${o.versionId})` : ""}: ${o.rows} rows, ${o.matching} of suppressed users, ${o.state}${o.reason ? ` (${o.reason})` : ""}`,
      );
    }
    if (report.ok) return;
    const named = report.failing
      .map((o) => `${o.key}: ${o.state === "unreadable" ? `unreadable (${o.reason})` : `${o.matching} rows`}`)
      .join("; ");
    fail(
      `${inputs.source} would bring erased users back: ${report.reason ?? named}. Scrub it (scrub: true) or fix the export before importing`,
      "Import source holds suppressed users",
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    fail(`guard-import-source ${inputs.source}: ${message}`, "Import guard could not run");
  }
}
