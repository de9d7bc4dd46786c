// The AWS SDK v3 equivalent of flow (a): create, describe, list every page, wait (a polling loop: the SDK
// has no waiter or paginator for data deletion jobs).
import {
  CreateDataDeletionJobCommand,
  DescribeDataDeletionJobCommand,
  ListDataDeletionJobsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";

export default {
  async fetch(
    _req: Request,
    env: { KEY: string; SECRET: string; DSG: string; ROLE: string },
  ): Promise<Response> {
    const client = new PersonalizeClient({
      region: "us-east-1",
      credentials: { accessKeyId: env.KEY, secretAccessKey: env.SECRET },
    });
    const { dataDeletionJobArn } = await client.send(
      new CreateDataDeletionJobCommand({
        jobName: "w",
        datasetGroupArn: env.DSG,
        roleArn: env.ROLE,
        dataSource: { dataLocation: "s3://b/k.csv" },
      }),
    );
    let n = 0;
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListDataDeletionJobsCommand({ datasetGroupArn: env.DSG, nextToken }),
      );
      n += page.dataDeletionJobs?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
    let status: string | undefined;
    do {
      status = (await client.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn }))).dataDeletionJob
        ?.status;
      if (status !== "COMPLETED") await new Promise((r) => setTimeout(r, 5000));
    } while (status !== "COMPLETED" && status !== "FAILED");
    return Response.json({ n, status });
  },
};
