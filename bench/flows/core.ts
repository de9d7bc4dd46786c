// Worker flow (a): create, describe, list every page, wait.
import { DataDeletionJobsClient } from "../../src/index.ts";

export default {
  async fetch(
    _req: Request,
    env: { KEY: string; SECRET: string; DSG: string; ROLE: string },
  ): Promise<Response> {
    const client = new DataDeletionJobsClient({
      region: "us-east-1",
      credentials: { accessKeyId: env.KEY, secretAccessKey: env.SECRET },
      useEnvironment: false,
    });
    const { dataDeletionJobArn } = await client.createDataDeletionJob({
      jobName: "w",
      datasetGroupArn: env.DSG,
      roleArn: env.ROLE,
      dataSource: { dataLocation: "s3://b/k.csv" },
    });
    await client.describeDataDeletionJob({ dataDeletionJobArn: dataDeletionJobArn as string });
    let n = 0;
    for await (const _ of client.paginateDataDeletionJobs({ datasetGroupArn: env.DSG })) n++;
    const job = await client.waitForDataDeletionJob(dataDeletionJobArn as string);
    return Response.json({ n, status: job.status });
  },
};
