// The AWS SDK v3 doing what flow (b) does: the list serialized and hashed, a job of that name adopted only
// when its tags say it was made from the same list, a conditional upload, the create with the list's tags,
// the wait, and every version of the uploaded file deleted once the job COMPLETED.
import {
  CreateDataDeletionJobCommand,
  DescribeDataDeletionJobCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-personalize";
import {
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";

export default {
  async fetch(
    req: Request,
    env: { KEY: string; SECRET: string; DSG: string; ROLE: string },
  ): Promise<Response> {
    const credentials = { accessKeyId: env.KEY, secretAccessKey: env.SECRET };
    const ids = (await req.json()) as string[];
    const body = `USER_ID\n${[...new Set(ids.filter(Boolean))].join("\n")}\n`;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const client = new PersonalizeClient({ region: "us-east-1", credentials });
    const s3 = new S3Client({ region: "us-east-1", credentials });
    const jobName = `w-${sha256.slice(0, 16)}`;
    let dataDeletionJobArn = env.DSG.replace(/:dataset-group\/.*$/, `:data-deletion-job/${jobName}`);
    try {
      await client.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn }));
      const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: dataDeletionJobArn }));
      if (!tags?.some((t) => t.tagKey === "erasure-sha256" && t.tagValue === sha256))
        throw new Error("conflict");
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await s3.send(
        new PutObjectCommand({
          Bucket: "bucket",
          Key: `deletions/${jobName}.csv`,
          Body: body,
          ContentType: "text/csv",
          IfNoneMatch: "*",
          Metadata: { sha256 },
        }),
      );
      dataDeletionJobArn = (
        await client.send(
          new CreateDataDeletionJobCommand({
            jobName,
            datasetGroupArn: env.DSG,
            roleArn: env.ROLE,
            dataSource: { dataLocation: `s3://bucket/deletions/${jobName}.csv` },
            tags: [{ tagKey: "erasure-sha256", tagValue: sha256 }],
          }),
        )
      ).dataDeletionJobArn as string;
    }
    let status: string | undefined;
    do {
      status = (await client.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn }))).dataDeletionJob
        ?.status;
      if (status !== "COMPLETED") await new Promise((r) => setTimeout(r, 5000));
    } while (status !== "COMPLETED" && status !== "FAILED");
    if (status === "COMPLETED") {
      const { Versions = [], DeleteMarkers = [] } = await s3.send(
        new ListObjectVersionsCommand({ Bucket: "bucket", Prefix: `deletions/${jobName}.csv` }),
      );
      for (const v of [...Versions, ...DeleteMarkers]) {
        await s3.send(new DeleteObjectCommand({ Bucket: "bucket", Key: v.Key, VersionId: v.VersionId }));
      }
    }
    return Response.json({ status });
  },
};
