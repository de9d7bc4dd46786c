// personalize-data-deletion: erase users from Amazon Personalize with data deletion jobs. The exports read
// from the top: the clients, the deletion flow, the list of ids, waiting, errors, then the building blocks.

// The clients: DataDeletionJobsClient makes one call at a time (create, describe, list, wait); DataDeletionClient
// runs the whole deletion (ids in, jobs out).

export {
  DataDeletionClient,
  type UploadOptions,
  type UploadResult,
} from "./deletion/client.ts";
export {
  type CallOptions,
  type DataDeletionClientConfig,
  DataDeletionJobsClient,
} from "./deletion/jobs-client.ts";

// The deletion flow: plan the parts, wait for room under the PENDING limit, upload, create, wait.

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
} from "./deletion/flow.ts";
export { type PlannedPart, planParts } from "./deletion/upload-plan.ts";

// The list of ids: ids as given or from a CSV, and the job name and tags that tie a job to its list.

export {
  type CsvSource,
  type NamedCsvSource,
  type PrepareCsvOptions,
  type PreparedCsv,
  prepareDeletionCsv,
} from "./deletion/csv.ts";
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
} from "./deletion/file.ts";
export {
  fitName,
  JOB_NAME_MAX,
  LIST_COUNT_TAG,
  LIST_SHA256_TAG,
  type ListDigest,
  listOfTags,
  listTags,
  nameForList,
} from "./deletion/names.ts";
export { parseTags } from "./deletion/tags.ts";

// Waiting for a job.

export { type Clock, DEFAULT_WAIT_TIMEOUT_MS, HEARTBEAT_MS, type Pace } from "./aws/poll.ts";
export type { PollEvent, WaitOptions } from "./deletion/waiter.ts";

// Errors, and their messages told in a front-end's own names.

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
  type PartialResult,
  RequestTimeoutError,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  RoomTimeoutError,
  type RunStage,
  S3Error,
  ServiceError,
  type ServiceErrorDetails,
  TooManyTagsException,
  ValidationError,
  type ValidationIssue,
  WaiterTimeoutError,
} from "./errors.ts";
export { type FieldName, type FieldNames, lookup, RULES_IN_WORDS, retell } from "./field-names.ts";

// The building blocks: input schemas from the service model, the transport and its retry policy, S3
// locations, the model's types.

export { DEFAULT_MAX_ATTEMPTS } from "./aws/retry.ts";
export { parseS3Uri, type S3Location } from "./aws/s3.ts";
export {
  type Credentials,
  type CredentialsProvider,
  type FetchLike,
  type Logger,
  redactHeaders,
} from "./aws/transport.ts";
export {
  CreateDataDeletionJobInputSchema,
  DescribeDataDeletionJobInputSchema,
  JobNameSchema,
  ListDataDeletionJobsInputSchema,
  validate,
} from "./model/schemas.ts";
export type * from "./model/types.ts";
