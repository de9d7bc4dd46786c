export {
  DataDeletionClient,
  type UploadOptions,
  type UploadResult,
  type UsersInput,
} from "./client.ts";
export {
  type CsvSource,
  type NamedCsvSource,
  type PrepareCsvOptions,
  type PreparedCsv,
  prepareDeletionCsv,
} from "./csv.ts";
export {
  DEFAULT_MAX_FILE_BYTES,
  MAX_USER_ID_LENGTH,
  type PreparedDeletionFile,
  type PrepareOptions,
  serializeUserIds,
} from "./deletion-file.ts";
export {
  AbortError,
  ConfigurationError,
  ConflictError,
  CsvError,
  DataDeletionError,
  DataDeletionJobFailedError,
  InvalidInputException,
  InvalidNextTokenException,
  LimitExceededException,
  NetworkError,
  RequestTimeoutError,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  S3Error,
  ServiceError,
  type ServiceErrorDetails,
  TooManyTagsException,
  ValidationError,
  type ValidationIssue,
  WaiterTimeoutError,
} from "./errors.ts";
export { type CallOptions, type DataDeletionClientConfig, DataDeletionJobsClient } from "./jobs-client.ts";
export { parseS3Uri, type S3Location } from "./s3.ts";
export {
  CreateDataDeletionJobInputSchema,
  DescribeDataDeletionJobInputSchema,
  JobNameSchema,
  ListDataDeletionJobsInputSchema,
  validate,
} from "./schemas.ts";
export type {
  DeleteUsersEvent,
  DeleteUsersInput,
  DeleteUsersOutput,
  DeletionJobResult,
} from "./split.ts";
export {
  type Credentials,
  type CredentialsProvider,
  type FetchLike,
  type Logger,
  redactHeaders,
} from "./transport.ts";
export type * from "./types.ts";
export type { Clock, PollEvent, WaitOptions } from "./waiter.ts";
