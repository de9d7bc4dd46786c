// AWS credentials and region as AWS's own tools find them, for the Node front-ends: the SDK's maintained
// provider chain rather than a hand-written one, imported only when the environment's keys will not do.
import type { Credentials } from "../index.ts";

/** Credentials are asked for again this long before they expire: a wait can last a day, a session an hour. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/** Credentials that may carry their expiration, as the AWS SDK's providers return them. */
export interface ExpiringCredentials extends Credentials {
  expiration?: Date | undefined;
}

/**
 * Caches what `provider` returns and asks it again once the cached credentials are within
 * {@link REFRESH_BEFORE_EXPIRY_MS} of their expiration (credentials without one are kept). Callers that ask at
 * the same moment share one call.
 */
export function refreshing(
  provider: () => Promise<ExpiringCredentials>,
  now: () => number = Date.now,
): () => Promise<ExpiringCredentials> {
  let cached: ExpiringCredentials | undefined;
  let pending: Promise<ExpiringCredentials> | undefined;
  return async () => {
    const expiration = cached?.expiration?.getTime();
    if (cached && (expiration === undefined || expiration - now() > REFRESH_BEFORE_EXPIRY_MS)) return cached;
    pending ??= provider().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };
}

/** Options of {@link awsCredentialChain}. */
export interface ChainOptions {
  /** A profile of `~/.aws/config` and `~/.aws/credentials` (else `AWS_PROFILE`, else `default`). */
  profile?: string | undefined;
  /** Replaces real time (tests). */
  now?: () => number;
}

/**
 * The AWS SDK's credential chain (`defaultProvider` of `@aws-sdk/credential-provider-node`): environment
 * variables (skipped when a profile is named, as the SDK does), the shared
 * config and credentials files (`AWS_PROFILE`, `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), SSO,
 * `credential_process`, `role_arn` with `source_profile`, web identity token files, container and instance
 * credentials. Loaded on the first call, and refreshed ahead of expiry by {@link refreshing}.
 */
export function awsCredentialChain(options: ChainOptions = {}): () => Promise<ExpiringCredentials> {
  let chain: (() => Promise<ExpiringCredentials>) | undefined;
  return refreshing(async () => {
    if (!chain) {
      const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
      chain = defaultProvider(options.profile ? { profile: options.profile } : {});
    }
    const found = await chain();
    return {
      accessKeyId: found.accessKeyId,
      secretAccessKey: found.secretAccessKey,
      sessionToken: found.sessionToken,
      expiration: found.expiration,
    };
  }, options.now);
}

/**
 * The profile's `region` in the shared config file (`AWS_CONFIG_FILE`, else `~/.aws/config`), read by the
 * AWS SDK's own loader. `AWS_REGION` and `AWS_DEFAULT_REGION` come first, and the core reads those itself.
 */
export async function awsRegion(profile?: string): Promise<string | undefined> {
  const { loadConfig, NODE_REGION_CONFIG_OPTIONS } = await import("@smithy/core/config");
  try {
    const options = { ...NODE_REGION_CONFIG_OPTIONS, environmentVariableSelector: () => undefined };
    return (await loadConfig(options, profile ? { profile } : {})()) || undefined;
  } catch {
    return undefined;
  }
}
