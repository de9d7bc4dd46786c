// The Node edge (`personalize-data-deletion/node`): what needs Node's own modules. The core never imports it;
// the CLI, the action and the bench do.

export {
  awsCredentialChain,
  awsRegion,
  type ChainOptions,
  type ExpiringCredentials,
  REFRESH_BEFORE_EXPIRY_MS,
  refreshing,
} from "./credentials.ts";
export { fileSource, stdinSource } from "./files.ts";
