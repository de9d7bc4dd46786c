import { ErasureClient } from "../../src/erasure/index.ts";
import { DataDeletionClient, type DataDeletionClientConfig } from "../../src/index.ts";
import { TEST_CREDENTIALS, type VerifyingServer } from "./verifying-server.ts";

export const ROLE_ARN = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";

// Aimed at a verifying server, with instant sleeps so retries and waits cost no real time.
const settings = (server: VerifyingServer, config: DataDeletionClientConfig): DataDeletionClientConfig => ({
  region: "us-east-1",
  credentials: TEST_CREDENTIALS,
  endpoint: server.url,
  s3Endpoint: server.url,
  useEnvironment: false,
  clock: { sleep: async () => {} },
  ...config,
});

/** A client aimed at a verifying server, with instant sleeps so retries and waits cost no real time. */
export function clientFor(
  server: VerifyingServer,
  config: DataDeletionClientConfig = {},
): DataDeletionClient {
  return new DataDeletionClient(settings(server, config));
}

/** An {@link ErasureClient} aimed at a verifying server, with instant sleeps. */
export function erasureClientFor(
  server: VerifyingServer,
  config: DataDeletionClientConfig = {},
): ErasureClient {
  return new ErasureClient(settings(server, config));
}
