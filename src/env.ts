/** The AWS settings this package reads from the environment (AWS SDK names). */
export interface AwsEnvironment {
  region?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  personalizeEndpoint?: string | undefined;
  s3Endpoint?: string | undefined;
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
  };
}

/**
 * Whether the global fetch is Node's (undici), which Node names in `process.versions`. Bun and Deno do not:
 * Deno sends a streamed body chunked whatever Content-Length it is given, and S3 refuses that.
 */
export function fetchIsUndici(): boolean {
  return (
    typeof (globalThis as { process?: { versions?: { undici?: unknown } } }).process?.versions?.undici ===
    "string"
  );
}

/**
 * The hex SHA-256 of `bytes` by `node:crypto` where the runtime offers it through
 * `process.getBuiltinModule` (Node 20.16+, Bun, Deno), else `undefined` (a Worker: WebCrypto then). Uploads
 * use it because WebCrypto's digest copies the bytes before hashing them: 50 MB take 55-65 ms there and
 * 30 ms here, on each of those runtimes.
 */
export function nodeSha256Hex(bytes: Uint8Array): string | undefined {
  const node = (
    globalThis as {
      process?: {
        getBuiltinModule?(id: "crypto"): {
          createHash(algorithm: "sha256"): { update(b: Uint8Array): { digest(e: "hex"): string } };
        };
      };
    }
  ).process?.getBuiltinModule?.("crypto");
  return node?.createHash("sha256").update(bytes).digest("hex");
}
