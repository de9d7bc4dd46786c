// What every AWS-facing command builds from the common flags: the client and the waiter's pace.
import { awsEnvironment, readEnvironment } from "../aws/env.ts";
import { ErasureClient } from "../erasure/index.ts";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_FILE_BYTES, type WaitOptions } from "../index.ts";
import { awsCredentialChain, awsRegion } from "../node/index.ts";
import { numeric, type Parsed, text, UsageError } from "./options.ts";
import type { Output } from "./output.ts";

/**
 * The client the common flags describe; the rest as AWS tools find it. With the environment's keys (and no
 * profile named) the core reads them itself; otherwise AWS's own credential chain is loaded, and the region
 * may come from the profile too.
 */
export async function makeClient(values: Parsed["values"], output: Output): Promise<ErasureClient> {
  const profile = text(values, "profile");
  const env = awsEnvironment();
  const useChain =
    profile !== undefined || readEnvironment().AWS_PROFILE || !env.accessKeyId || !env.secretAccessKey;
  const region = text(values, "region") ?? env.region ?? (await awsRegion(profile));
  const endpoint = text(values, "endpoint-url");
  const s3Endpoint = text(values, "s3-endpoint-url");
  return new ErasureClient({
    ...(region ? { region } : {}),
    ...(useChain ? { credentials: awsCredentialChain({ profile }) } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(s3Endpoint ? { s3Endpoint } : {}),
    maxAttempts: numeric(values, "max-attempts", { fallback: DEFAULT_MAX_ATTEMPTS, min: 1, integer: true }),
    logger: {
      warn: (m: string) => output.info(`warning: ${m}`),
      ...(values.debug
        ? { debug: (m: string, d?: unknown) => output.info(`debug: ${m}${d ? ` ${JSON.stringify(d)}` : ""}`) }
        : {}),
    },
  });
}

/** `--timeout-minutes` and `--poll-interval-seconds` as the waiter's options (the core derives the rest). */
export function waitOptions(values: Parsed["values"]): WaitOptions {
  return {
    timeoutMs: numeric(values, "timeout-minutes", { fallback: 1440, min: 0 }) * 60_000,
    maxDelayMs: numeric(values, "poll-interval-seconds", { fallback: 60, min: 1 }) * 1000,
  };
}

/** The job ARN, from `--job-arn` or the first argument. */
export function jobArn(values: Parsed["values"], positionals: string[]): string {
  const arn = text(values, "job-arn") ?? positionals[0];
  if (!arn) throw new UsageError("give the job ARN (as the argument or --job-arn)");
  return arn;
}

/** `--max-file-mb` in bytes (MB of 1,000,000 bytes, as the guide's cap is written), else the library's default. */
export function fileBytes(values: Parsed["values"]): number {
  const mb = numeric(values, "max-file-mb", { fallback: Number.NaN, min: 0.001 });
  return Number.isNaN(mb) ? DEFAULT_MAX_FILE_BYTES : Math.round(mb * 1_000_000);
}
