// The jobs client's one adoption rule (src/deletion/jobs-client.ts): findAdoptableJob against the emulator,
// the existing jobs made with the AWS SDK v3 (so what exists is not the client's own doing), and
// checkArnRegion. The three operations and their errors are exercised in client.test.ts.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { CreateDataDeletionJobCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { checkArnRegion } from "../../src/deletion/jobs-client.ts";
import { LIST_COUNT_TAG, LIST_SHA256_TAG } from "../../src/deletion/names.ts";
import { ConfigurationError, ConflictError, ValidationError } from "../../src/index.ts";
import type { CreateDataDeletionJobInput, Tag } from "../../src/model/types.ts";
import { clientFor, ROLE_ARN } from "../support/client.ts";
import { startVerifyingServer, TEST_CREDENTIALS, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
beforeEach(() => {
  server = startVerifyingServer();
});
afterEach(() => server.close());

async function putCsv(key: string, ids: string[]) {
  await clientFor(server).uploadUserIds(ids, { s3Uri: `s3://${server.emulator.bucket}/${key}` });
}

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const sdk = () => ({ region: "us-east-1", endpoint: server.url, credentials: TEST_CREDENTIALS });

// A job made from outside the client, with the AWS SDK.
async function existing(
  jobName: string,
  key: string,
  tags?: Tag[],
  datasetGroupArn = server.emulator.datasetGroupArn,
) {
  await new S3Client({ ...sdk(), forcePathStyle: true }).send(
    new PutObjectCommand({ Bucket: server.emulator.bucket, Key: key, Body: "USER_ID\nuser-001\n" }),
  );
  const out = await new PersonalizeClient(sdk()).send(
    new CreateDataDeletionJobCommand({
      jobName,
      datasetGroupArn,
      roleArn: ROLE_ARN,
      dataSource: { dataLocation: `s3://${server.emulator.bucket}/${key}` },
      ...(tags ? { tags } : {}),
    }),
  );
  return out.dataDeletionJobArn as string;
}

const request = (jobName: string, key: string, tags?: Tag[]): CreateDataDeletionJobInput => ({
  jobName,
  datasetGroupArn: server.emulator.datasetGroupArn,
  roleArn: ROLE_ARN,
  dataSource: { dataLocation: `s3://${server.emulator.bucket}/${key}` },
  ...(tags ? { tags } : {}),
});

const conflict = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConflictError);
  return (error as Error).message;
};

describe("findAdoptableJob", () => {
  test("no job of that name: undefined", async () => {
    expect(await clientFor(server).findAdoptableJob(request("nothing-yet", "k.csv"))).toBeUndefined();
  });

  test("a job made from the same list (same erasure-sha256 tag, same location) is adopted", async () => {
    const arn = await existing("same", "same.csv", [
      { tagKey: LIST_SHA256_TAG, tagValue: SHA_A },
      { tagKey: LIST_COUNT_TAG, tagValue: "1" },
    ]);
    const found = await clientFor(server).findAdoptableJob(
      request("same", "same.csv", [{ tagKey: LIST_SHA256_TAG, tagValue: SHA_A }]),
    );
    expect(found?.dataDeletionJobArn).toBe(arn);
  });

  test("a job made from another list is a ConflictError naming the jobName and both digests' starts", async () => {
    await existing("other-list", "o.csv", [{ tagKey: LIST_SHA256_TAG, tagValue: SHA_B }]);
    const message = await conflict(
      clientFor(server).findAdoptableJob(
        request("other-list", "o.csv", [{ tagKey: LIST_SHA256_TAG, tagValue: SHA_A }]),
      ),
    );
    expect(message).toContain(
      "a data deletion job named other-list already exists and was made from a different list",
    );
    expect(message).toContain(`SHA-256 ${SHA_B.slice(0, 12)}..., this run's list ${SHA_A.slice(0, 12)}...`);
    expect(message).toContain("Choose a new `jobName`");
  });

  test("a job without the tag is refused for a tagged request: nothing shows which list it read", async () => {
    await existing("untagged", "u.csv", [{ tagKey: "team", tagValue: "data" }]);
    const message = await conflict(
      clientFor(server).findAdoptableJob(
        request("untagged", "u.csv", [{ tagKey: LIST_SHA256_TAG, tagValue: SHA_A }]),
      ),
    );
    expect(message).toBe(
      `a data deletion job named untagged already exists without the ${LIST_SHA256_TAG} tag, so nothing shows it was made from this run's list of ids: it is not adopted. Choose a new \`jobName\``,
    );
  });

  test("a job reading another data location is refused, naming both, whatever the tags", async () => {
    await existing("elsewhere", "one.csv", [{ tagKey: LIST_SHA256_TAG, tagValue: SHA_A }]);
    const bucket = server.emulator.bucket;
    for (const tags of [undefined, [{ tagKey: LIST_SHA256_TAG, tagValue: SHA_A }]]) {
      const message = await conflict(
        clientFor(server).findAdoptableJob(request("elsewhere", "two.csv", tags)),
      );
      expect(message).toBe(
        `a data deletion job named elsewhere already reads s3://${bucket}/one.csv, not s3://${bucket}/two.csv; choose another \`jobName\``,
      );
    }
  });

  test("a request without the tag (a given dataLocation) adopts by location alone, tags unread", async () => {
    const arn = await existing("by-location", "given.csv");
    const before = server.requests.length;
    const found = await clientFor(server).findAdoptableJob(request("by-location", "given.csv"));
    expect(found?.dataDeletionJobArn).toBe(arn);
    expect(server.requests.slice(before).map((r) => r.target)).toEqual([
      "AmazonPersonalize.DescribeDataDeletionJob",
    ]);
  });

  test("a job of that name in another dataset group is refused, naming the jobName", async () => {
    const other = server.emulator.datasetGroupArn.replace(/dataset-group\/.*$/, "dataset-group/other-group");
    server.emulator.state.datasetGroups.set(other, []);
    await existing("shared-name", "s.csv", undefined, other);
    const message = await conflict(clientFor(server).findAdoptableJob(request("shared-name", "s.csv")));
    expect(message).toBe(
      "a data deletion job named shared-name already exists for another dataset group; choose another `jobName`",
    );
  });
});

describe("checkArnRegion", () => {
  test("an ARN of another region is refused naming the field and both regions; same region or no ARN passes", () => {
    expect(() =>
      checkArnRegion("arn:aws:personalize:eu-west-1:000000000000:dataset-group/g", "us-east-1"),
    ).toThrow(
      new ConfigurationError(
        "`datasetGroupArn` is in eu-west-1 but requests go to us-east-1 (`region`): use the same region for both",
      ),
    );
    expect(() =>
      checkArnRegion("arn:aws:personalize:us-west-2:000000000000:campaign/c", "us-east-1", "campaignArn"),
    ).toThrow(/^`campaignArn` is in us-west-2 but requests go to us-east-1/);
    for (const arn of [
      "arn:aws:personalize:us-east-1:000000000000:dataset-group/g",
      "arn:aws-cn:personalize:us-east-1:000000000000:dataset-group/g",
      // Not a Personalize ARN: the model's pattern judges it, not the region check.
      "not-an-arn",
      "arn:aws:s3:::bucket",
    ]) {
      expect(() => checkArnRegion(arn, "us-east-1")).not.toThrow();
    }
    // An empty region in the ARN is not the client's region either.
    expect(() => checkArnRegion("arn:aws:personalize::000000000000:dataset-group/g", "us-east-1")).toThrow(
      ConfigurationError,
    );
    expect(() => checkArnRegion("arn:aws:personalize:eu-west-1:0:dataset-group/g", "us-east-1")).toThrow(
      ConfigurationError,
    );
  });
});

describe("idempotent create: createDataDeletionJob adopts through findAdoptableJob", () => {
  test("a lost create response: the retry adopts the job the first try made, never a second job", async () => {
    await putCsv("in/lost.csv", ["user-002"]);
    let dropped = false;
    server.intercept = async (req) => {
      if (!dropped && req.target?.endsWith("CreateDataDeletionJob")) {
        dropped = true;
        await server.emulator.fetch(
          new Request(`${server.url}/`, {
            method: "POST",
            headers: req.headers,
            body: req.body as Uint8Array<ArrayBuffer>,
          }),
        );
        return new Response("upstream connection lost", { status: 502 });
      }
      return undefined;
    };
    const input = {
      jobName: "lost-response",
      datasetGroupArn: server.emulator.datasetGroupArn,
      dataSource: { dataLocation: `s3://${server.emulator.bucket}/in/lost.csv` },
      roleArn: ROLE_ARN,
    };
    const out = await clientFor(server).createDataDeletionJob(input);
    expect(out.adopted).toBe(true);
    expect(out.dataDeletionJobArn).toBe(server.emulator.state.jobArn("lost-response"));
    expect(server.emulator.state.jobs.size).toBe(1);
  });

  test("a name taken by a different job is a ConflictError", async () => {
    await putCsv("in/one.csv", ["user-003"]);
    const base = {
      jobName: "taken",
      datasetGroupArn: server.emulator.datasetGroupArn,
      dataSource: { dataLocation: `s3://${server.emulator.bucket}/in/one.csv` },
      roleArn: ROLE_ARN,
    };
    await clientFor(server).createDataDeletionJob(base);
    const error = await clientFor(server)
      .createDataDeletionJob({
        ...base,
        dataSource: { dataLocation: `s3://${server.emulator.bucket}/in/other.csv` },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain("taken");
    expect(server.emulator.state.jobs.size).toBe(1);
  });

  test("invalid input throws ValidationError and sends nothing", async () => {
    const error = await clientFor(server)
      .createDataDeletionJob({
        jobName: "has space",
        datasetGroupArn: server.emulator.datasetGroupArn,
        dataSource: { dataLocation: "s3://b/k.csv" },
        roleArn: ROLE_ARN,
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0].path).toBe("jobName");
    expect(error.message).toContain('"has space"');
    expect(server.requests.length).toBe(0);
  });
});
