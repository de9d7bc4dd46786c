// The AWS SDK v3 equivalent of flow (b): upload a CSV of ids with the S3 client, create, wait.
import {
  CreateDataDeletionJobCommand,
  DescribeDataDeletionJobCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export default {
  async fetch(
    req: Request,
    env: { KEY: string; SECRET: string; DSG: string; ROLE: string },
  ): Promise<Response> {
    const credentials = { accessKeyId: env.KEY, secretAccessKey: env.SECRET };
    const ids = (await req.json()) as string[];
    const body = `USER_ID\n${[...new Set(ids.map((i) => i.trim()).filter(Boolean))].join("\n")}\n`;
    await new S3Client({ region: "us-east-1", credentials }).send(
      new PutObjectCommand({ Bucket: "bucket", Key: "deletions/u.csv", Body: body, ContentType: "text/csv" }),
    );
    const client = new PersonalizeClient({ region: "us-east-1", credentials });
    const { dataDeletionJobArn } = await client.send(
      new CreateDataDeletionJobCommand({
        jobName: "w",
        datasetGroupArn: env.DSG,
        roleArn: env.ROLE,
        dataSource: { dataLocation: "s3://bucket/deletions/u.csv" },
      }),
    );
    let status: string | undefined;
    do {
      status = (await client.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn }))).dataDeletionJob
        ?.status;
      if (status !== "COMPLETED") await new Promise((r) => setTimeout(r, 5000));
    } while (status !== "COMPLETED" && status !== "FAILED");
    return Response.json({ status });
  },
};
