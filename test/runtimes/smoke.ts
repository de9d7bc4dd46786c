// The one smoke suite every runtime runs (each through its own thin entry): prepare a CSV, upload it,
// create a job, describe it, list every page, wait for COMPLETED, and check with the emulator that the
// user is gone. Web APIs only, so the same code runs on Node, Bun, Deno and workerd.
import type * as Library from "../../src/index.ts";

export interface SmokeTarget {
  runtime: string;
  endpoint: string;
  datasetGroupArn: string;
  bucket: string;
  userId: string;
}

export interface SmokeResult {
  runtime: string;
  status: string | undefined;
  numDeleted: number | undefined;
  listed: number;
  pages: number;
  userGone: boolean;
  bytes: number;
  uploadBody: string;
  /** Who hashed the upload's payload: WebCrypto, or the runtime's node:crypto where it has one. */
  payloadHash: string;
}

export async function smoke(lib: typeof Library, target: SmokeTarget): Promise<SmokeResult> {
  const client = new lib.DataDeletionClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: target.endpoint,
    s3Endpoint: target.endpoint,
    useEnvironment: false,
  });
  const csv = await lib.prepareDeletionCsv(
    new Blob([
      `USER_ID,NOTE\n${target.userId},"from ${target.runtime}, quoted"\n${target.userId},duplicate\n`,
    ]),
  );
  if (csv.userCount !== 1 || csv.duplicateCount !== 1) throw new Error(`prepared ${JSON.stringify(csv)}`);
  // What the runtime's own fetch is handed for the upload: Node's gets a stream with its length (faster
  // there), every other runtime the bytes. The emulator refuses an upload without Content-Length, as S3 does.
  const runtimeFetch = globalThis.fetch;
  const subtle = crypto.subtle;
  const digest = subtle.digest;
  let payloadHash = "node:crypto";
  subtle.digest = function (this: SubtleCrypto, algorithm, data) {
    if ((data as ArrayBufferView).byteLength === csv.bytes) payloadHash = "webcrypto";
    return digest.call(this, algorithm, data);
  } as typeof digest;
  let uploadBody = "none";
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    if (init?.method === "PUT")
      uploadBody =
        init.body instanceof ReadableStream
          ? "stream"
          : init.body instanceof Uint8Array
            ? "bytes"
            : typeof init.body;
    return runtimeFetch(input, init);
  }) as typeof fetch;
  let upload: Awaited<ReturnType<typeof client.uploadUserIds>>;
  try {
    upload = await client.uploadUserIds(csv, {
      s3Uri: `s3://${target.bucket}/runtime-${target.runtime}/`,
    });
  } finally {
    globalThis.fetch = runtimeFetch;
    subtle.digest = digest;
  }
  const jobName = `smoke-${target.runtime}-${Date.now()}`;
  const { dataDeletionJobArn } = await client.createDataDeletionJob({
    jobName,
    datasetGroupArn: target.datasetGroupArn,
    roleArn: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
    dataSource: { dataLocation: upload.dataLocation },
  });
  const described = await client.describeDataDeletionJob({
    dataDeletionJobArn: dataDeletionJobArn as string,
  });
  if (described.dataDeletionJob?.jobName !== jobName) throw new Error("describe returned another job");
  if (!(described.dataDeletionJob?.creationDateTime instanceof Date))
    throw new Error("creationDateTime is not a Date");
  let listed = 0;
  let seen = false;
  for await (const job of client.paginateDataDeletionJobs({
    datasetGroupArn: target.datasetGroupArn,
    pageSize: 1,
  })) {
    listed++;
    if (job.dataDeletionJobArn === dataDeletionJobArn) seen = true;
  }
  if (!seen) throw new Error("the new job is missing from the list");
  const done = await client.waitForDataDeletionJob(dataDeletionJobArn as string, {
    minDelayMs: 50,
    maxDelayMs: 200,
    timeoutMs: 30_000,
  });
  const res = await fetch(
    `${target.endpoint}/_emulator/users?datasetGroupArn=${encodeURIComponent(target.datasetGroupArn)}`,
  );
  const { users } = (await res.json()) as { users: string[] };
  return {
    runtime: target.runtime,
    status: done.status,
    numDeleted: done.numDeleted,
    listed,
    pages: listed,
    userGone: !users.includes(target.userId),
    bytes: upload.bytes,
    uploadBody,
    payloadHash,
  };
}
