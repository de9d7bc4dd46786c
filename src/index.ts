// biome-ignore-all assist/source/organizeImports: the order of these exports is the order of the modules in
// a bundle of this package, and gzip shrinks some orders better than others (bench/budget.json measures it).
export {
  CreateDataDeletionJobInputSchema,
  DescribeDataDeletionJobInputSchema,
  JobNameSchema,
  ListDataDeletionJobsInputSchema,
  validate,
} from "./schemas.ts";
export {
  type CsvSource,
  type NamedCsvSource,
  type PrepareCsvOptions,
  type PreparedCsv,
  prepareDeletionCsv,
} from "./csv.ts";
export { DEFAULT_MAX_ATTEMPTS } from "./retry.ts";
export { parseS3Uri, type S3Location } from "./s3.ts";
export {
  type Credentials,
  type CredentialsProvider,
  type FetchLike,
  type Logger,
  redactHeaders,
} from "./transport.ts";
export { type PlannedPart, planParts } from "./upload-plan.ts";
export {
  DataDeletionClient,
  type UploadOptions,
  type UploadResult,
} from "./client.ts";
export {
  awaitJob,
  awaitRoom,
  countPendingJobs,
  createWithRoom,
  DEFAULT_MAX_PENDING_JOBS,
  type DeleteUsersEvent,
  type DeleteUsersInput,
  type DeleteUsersOutput,
  type DeletionJobResult,
  type DeletionPlan,
  type FlowContext,
  planDeletion,
} from "./delete-users.ts";
export {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_LIST_BYTES,
  MAX_USER_ID_LENGTH,
  type PreparedDeletionFile,
  type PrepareOptions,
  prepareUsers,
  serializeUserIds,
  type UsersInput,
  userIdProblem,
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
  RoomTimeoutError,
  S3Error,
  ServiceError,
  type ServiceErrorDetails,
  TooManyTagsException,
  ValidationError,
  type ValidationIssue,
  WaiterTimeoutError,
} from "./errors.ts";
export { type Clock, DEFAULT_WAIT_TIMEOUT_MS, HEARTBEAT_MS, type Pace } from "./poll.ts";
export type * from "./types.ts";
export type { PollEvent, WaitOptions } from "./waiter.ts";
export { parseTags } from "./tags.ts";
export {
  JOB_NAME_MAX,
  LIST_COUNT_TAG,
  LIST_SHA256_TAG,
  type ListDigest,
  listOfTags,
  nameForList,
} from "./job-names.ts";
export { type FieldName, type FieldNames, lookup, RULES_IN_WORDS, retell } from "./field-names.ts";
export { type CallOptions, type DataDeletionClientConfig, DataDeletionJobsClient } from "./jobs-client.ts";
