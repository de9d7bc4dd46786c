/** The AWS settings this package reads from the environment (AWS SDK names). */
export interface AwsEnvironment {
  region?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  personalizeEndpoint?: string | undefined;
  s3Endpoint?: string | undefined;
  /** `AWS_PROFILE`: the core does not read profiles, but names it when no keys were found. */
  profile?: string | undefined;
}

/**
 * Reads the environment where there is one (Node, Bun, Deno with `--allow-env`); a Worker or a sandbox
 * without it gets `{}`, never an exception. This is the only module that touches environment variables.
 */
export function readEnvironment(): Record<string, string | undefined> {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { toObject(): Record<string, string> } };
  };
  try {
    if (g.Deno?.env) return g.Deno.env.toObject();
  } catch {
    // Deno without --allow-env throws here; fall through to "no environment".
  }
  try {
    if (g.process?.env) return g.process.env;
  } catch {
    // Some sandboxes expose process.env as a throwing getter.
  }
  return {};
}

/** The AWS settings from `env` (default: {@link readEnvironment}), empty strings treated as unset. */
export function awsEnvironment(env: Record<string, string | undefined> = readEnvironment()): AwsEnvironment {
  const get = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  return {
    region: get("AWS_REGION") ?? get("AWS_DEFAULT_REGION"),
    accessKeyId: get("AWS_ACCESS_KEY_ID"),
    secretAccessKey: get("AWS_SECRET_ACCESS_KEY"),
    sessionToken: get("AWS_SESSION_TOKEN"),
    personalizeEndpoint: get("AWS_ENDPOINT_URL_PERSONALIZE") ?? get("AWS_ENDPOINT_URL"),
    s3Endpoint: get("AWS_ENDPOINT_URL_S3") ?? get("AWS_ENDPOINT_URL"),
    profile: get("AWS_PROFILE"),
  };
}

/**
 * The "no AWS credentials" message for `env`. With `AWS_PROFILE` set the user expects the profile to be
 * used, as the AWS CLI would; the core reads no files, so it says where the profile-reading chain is.
 */
export function noCredentialsMessage(env: AwsEnvironment): string {
  const base = "no AWS credentials: pass `credentials` or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
  if (!env.profile) return base;
  return `${base}. AWS_PROFILE is set (${JSON.stringify(env.profile)}), and this client reads no profiles: on Node, pass \`credentials: awsCredentialChain()\` (import { awsCredentialChain } from "personalize-data-deletion/node"), which reads it as the AWS CLI does`;
}
