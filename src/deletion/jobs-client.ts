import { awsEnvironment, noCredentialsMessage } from "../aws/env.ts";
import { call, type PersonalizeService, paginate } from "../aws/operation.ts";
import {
  abortableSleep,
  type CredentialsProvider,
  type FetchLike,
  type Logger,
  Transport,
} from "../aws/transport.ts";
import {
  ConfigurationError,
  ConflictError,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "../errors.ts";
import {
  type DeletionOperation,
  DescribeDataDeletionJobInputSchema,
  deletionInputSchema,
  validate,
} from "../model/schemas.ts";
import type {
  CreateDataDeletionJobInput,
  CreateDataDeletionJobOutput,
  DataDeletionJob,
  DataDeletionJobSummary,
  DescribeDataDeletionJobInput,
  DescribeDataDeletionJobOutput,
  ListDataDeletionJobsInput,
  ListDataDeletionJobsOutput,
  Tag,
} from "../model/types.ts";
import { LIST_SHA256_TAG, listOfTags } from "./names.ts";
import { type Clock, pollJob, type WaitOptions } from "./waiter.ts";

/** Configuration of {@link DataDeletionJobsClient} and {@link DataDeletionClient}; anything left out comes from the AWS environment variables. */
export interface DataDeletionClientConfig {
  /** AWS region; else `AWS_REGION` / `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Credentials or an async function returning them; else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`. */
  credentials?: CredentialsProvider;
  /** Personalize endpoint; else `AWS_ENDPOINT_URL_PERSONALIZE` / `AWS_ENDPOINT_URL`, else AWS. */
  endpoint?: string;
  /** S3 endpoint (path-style requests); else `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, else AWS (virtual-hosted). */
  s3Endpoint?: string;
  /** A fetch to use instead of the global one. */
  fetch?: FetchLike;
  /**
   * Send uploads as a one-chunk stream with an explicit Content-Length (default: on where the global fetch is
   * Node's, which copies a byte body twice before sending it and streams about five times faster; off
   * elsewhere). Turn it on only for a fetch that sends the Content-Length it is given: S3 refuses chunked
   * uploads (Deno's fetch sends streams chunked).
   */
  streamUploads?: boolean;
  /** Tries per request, the first included (default 3). */
  maxAttempts?: number;
  /** Deadline of a single try (default 30 s). */
  requestTimeoutMs?: number;
  /** Receives debug lines with credentials and signatures redacted. */
  logger?: Logger;
  /** Replaces real time (tests). */
  clock?: Partial<Clock>;
  /** Read the environment for anything not given (default `true`; a Worker passes everything explicitly). */
  useEnvironment?: boolean;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

// AWS region names: us-east-1, eu-central-1, us-gov-west-1, cn-north-1, us-isob-east-1.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Refuses a resource ARN of another region than the one requests go to, before anything is prepared or
 * sent: Personalize would answer that the resource does not exist, after the ids were uploaded.
 */
export function checkArnRegion(arn: string, region: string, field = "datasetGroupArn"): void {
  const inArn = /^arn:[\w-]+:personalize:([^:]*):/.exec(arn)?.[1];
  if (inArn !== undefined && inArn !== region) {
    const where = inArn === "" ? "names no region" : `is in ${inArn}`;
    throw new ConfigurationError(
      `\`${field}\` ${where} but requests go to ${region} (\`region\`): use the same region for both`,
    );
  }
}

function defaultEndpoint(region: string): string {
  return `https://personalize.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}/`;
}

function checkEndpoint(value: string, name: string): string {
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) {
    throw new ConfigurationError(`${name} must be an http(s) URL, received ${JSON.stringify(value)}`);
  }
  return new URL(value).toString();
}

/**
 * The three data deletion operations with the AWS names and shapes, a paginator and a waiter, without the
 * S3 upload and CSV code: what a Worker that only creates and watches jobs needs (a smaller bundle).
 * {@link DataDeletionClient} adds the upload and the whole flow. Every input is validated against the
 * service model before a byte is sent.
 */
export class DataDeletionJobsClient {
  /** The region requests are signed for. */
  readonly region: string;
  /** The Personalize endpoint in use. */
  readonly endpoint: string;
  /** The custom S3 endpoint in use, if any (path-style requests). */
  readonly s3Endpoint: string | undefined;
  /** @internal */
  readonly transport: Transport;
  /** @internal */
  readonly clock: Clock;
  /** @internal */
  readonly logger: Logger | undefined;
  /** @internal Where this client's operations go, and their input schemas. */
  readonly personalize: PersonalizeService<DeletionOperation>;

  constructor(config: DataDeletionClientConfig = {}) {
    const env = config.useEnvironment === false ? {} : awsEnvironment();
    const region = config.region ?? env.region;
    if (!region) throw new ConfigurationError("no AWS region: pass `region` or set AWS_REGION");
    if (!REGION.test(region)) {
      throw new ConfigurationError(
        `\`region\` must be an AWS region such as us-east-1 or eu-west-1 (lowercase letters, hyphens and a number), received ${JSON.stringify(region).slice(0, 60)}`,
      );
    }
    let credentials = config.credentials;
    if (!credentials) {
      if (!env.accessKeyId || !env.secretAccessKey) {
        throw new ConfigurationError(noCredentialsMessage(env));
      }
      credentials = {
        accessKeyId: env.accessKeyId,
        secretAccessKey: env.secretAccessKey,
        sessionToken: env.sessionToken,
      };
    }
    this.region = region;
    this.endpoint = checkEndpoint(
      config.endpoint ?? env.personalizeEndpoint ?? defaultEndpoint(region),
      "endpoint",
    );
    const s3Endpoint = config.s3Endpoint ?? env.s3Endpoint;
    this.s3Endpoint = s3Endpoint === undefined ? undefined : checkEndpoint(s3Endpoint, "s3Endpoint");
    this.logger = config.logger;
    this.clock = {
      now: config.clock?.now ?? (() => Date.now()),
      sleep: config.clock?.sleep ?? abortableSleep,
      random: config.clock?.random ?? Math.random,
    };
    this.transport = new Transport({
      region,
      credentials,
      maxAttempts: config.maxAttempts,
      requestTimeoutMs: config.requestTimeoutMs,
      fetch: config.fetch,
      streamUploads: config.streamUploads,
      logger: config.logger,
      now: () => new Date(this.clock.now()),
      sleep: this.clock.sleep,
      random: this.clock.random,
    });
    this.personalize = {
      transport: this.transport,
      endpoint: this.endpoint,
      inputSchema: deletionInputSchema,
    };
  }

  /**
   * CreateDataDeletionJob. When the name is taken by a job that {@link findAdoptableJob} accepts (a retried
   * request whose first answer was lost, or a re-run with the same list), that job is adopted and returned
   * with `adopted: true` instead of failing; a name taken by any other job is a {@link ConflictError}.
   */
  async createDataDeletionJob(
    input: CreateDataDeletionJobInput,
    options: CallOptions = {},
  ): Promise<CreateDataDeletionJobOutput & { adopted?: boolean }> {
    try {
      return await call(this.personalize, "CreateDataDeletionJob", input, options);
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
      const existing = await this.findAdoptableJob(input, options.signal);
      if (!existing) throw error;
      this.logger?.debug?.(`CreateDataDeletionJob: adopted the existing job ${existing.dataDeletionJobArn}`);
      return { dataDeletionJobArn: existing.dataDeletionJobArn, adopted: true };
    }
  }

  /**
   * The job a create request would make, when one of its name exists already and may be adopted; `undefined`
   * when none exists. The one adoption rule: same dataset group and data location and, for a request tagged
   * with its list's SHA-256 (`erasure-sha256`), a job tagged with the same digest, so a job made from another
   * list is never taken for this one (its ids would not be erased). Any other job of that name is a
   * {@link ConflictError} naming the `jobName`.
   */
  async findAdoptableJob(
    request: CreateDataDeletionJobInput,
    signal?: AbortSignal,
  ): Promise<DataDeletionJob | undefined> {
    const { jobName, datasetGroupArn } = request;
    const existing = await this.findJobByName(datasetGroupArn, jobName, signal);
    if (!existing) return undefined;
    const location = request.dataSource.dataLocation;
    if (existing.datasetGroupArn !== undefined && existing.datasetGroupArn !== datasetGroupArn) {
      throw new ConflictError(
        `a data deletion job named ${jobName} already exists for another dataset group; choose another \`jobName\``,
      );
    }
    if (existing.dataSource?.dataLocation !== location) {
      throw new ConflictError(
        `a data deletion job named ${jobName} already reads ${existing.dataSource?.dataLocation}, not ${location}; choose another \`jobName\``,
      );
    }
    const wanted = request.tags?.find((t) => t.tagKey === LIST_SHA256_TAG)?.tagValue;
    if (wanted === undefined) return existing;
    const made = listOfTags(
      await this.listTagsForResource(existing.dataDeletionJobArn as string, { signal }),
    );
    if (made.sha256 === wanted) return existing;
    throw new ConflictError(
      made.sha256
        ? `a data deletion job named ${jobName} already exists and was made from a different list of ids (SHA-256 ${made.sha256.slice(0, 12)}..., this run's list ${wanted.slice(0, 12)}...): its ids are not this run's, so it is not adopted. Choose a new \`jobName\`, or leave it to its default, which is derived from the list`
        : `a data deletion job named ${jobName} already exists without the ${LIST_SHA256_TAG} tag, so nothing shows it was made from this run's list of ids: it is not adopted. Choose a new \`jobName\``,
    );
  }

  /** ListTagsForResource: the tags of a Personalize resource (a data deletion job, say). */
  async listTagsForResource(resourceArn: string, options: CallOptions = {}): Promise<Tag[]> {
    const out = await call(this.personalize, "ListTagsForResource", { resourceArn }, options);
    return out.tags ?? [];
  }

  /** DescribeDataDeletionJob. Timestamps come back as `Date`s. */
  async describeDataDeletionJob(
    input: DescribeDataDeletionJobInput,
    options: CallOptions = {},
  ): Promise<DescribeDataDeletionJobOutput> {
    return call(this.personalize, "DescribeDataDeletionJob", input, options);
  }

  /** ListDataDeletionJobs: one page, newest first. */
  async listDataDeletionJobs(
    input: ListDataDeletionJobsInput = {},
    options: CallOptions = {},
  ): Promise<ListDataDeletionJobsOutput> {
    const out = await call(this.personalize, "ListDataDeletionJobs", input, options);
    const result: ListDataDeletionJobsOutput = { dataDeletionJobs: out.dataDeletionJobs ?? [] };
    if (out.nextToken) result.nextToken = out.nextToken;
    return result;
  }

  /** Every job summary, across all pages (`pageSize` is ListDataDeletionJobs' `maxResults`). */
  async *paginateDataDeletionJobs(
    input: { datasetGroupArn?: string; pageSize?: number; startingToken?: string } = {},
    options: CallOptions = {},
  ): AsyncGenerator<DataDeletionJobSummary> {
    yield* paginate(
      this.personalize,
      "ListDataDeletionJobs",
      // Unset, empty and zero are all "not given": JSON leaves undefined members out.
      {
        datasetGroupArn: input.datasetGroupArn || undefined,
        maxResults: input.pageSize || undefined,
        nextToken: input.startingToken || undefined,
      },
      "dataDeletionJobs",
      options,
    );
  }

  /**
   * Polls until the job is COMPLETED and resolves with it; throws DataDeletionJobFailedError on FAILED and
   * WaiterTimeoutError after `timeoutMs`. Transient errors are waited out.
   */
  async waitForDataDeletionJob(
    dataDeletionJobArn: string,
    options: WaitOptions = {},
  ): Promise<DataDeletionJob> {
    validate(DescribeDataDeletionJobInputSchema, { dataDeletionJobArn }, "waitForDataDeletionJob");
    return pollJob(
      dataDeletionJobArn,
      async (signal) =>
        (await this.describeDataDeletionJob({ dataDeletionJobArn }, { signal })).dataDeletionJob,
      options,
      this.clock,
    );
  }

  /**
   * The job of that name in the dataset group, or `undefined`. A job's ARN follows from its dataset group's
   * (the same partition, region and account, then `data-deletion-job/NAME`, as in the IAM reference's
   * resource formats), so one Describe finds it.
   */
  async findJobByName(
    datasetGroupArn: string,
    jobName: string,
    signal?: AbortSignal,
  ): Promise<DataDeletionJob | undefined> {
    const guess = datasetGroupArn.replace(/:dataset-group\/.*$/, `:data-deletion-job/${jobName}`);
    try {
      return (await this.describeDataDeletionJob({ dataDeletionJobArn: guess }, { signal })).dataDeletionJob;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    return undefined;
  }
}
