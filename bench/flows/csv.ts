// Worker flow (c): flow (b) from a CSV body, through prepareDeletionCsv (papaparse for quoted rows).
import { DataDeletionClient, prepareDeletionCsv } from "../../src/index.ts";

export default {
  async fetch(
    req: Request,
    env: { KEY: string; SECRET: string; DSG: string; ROLE: string },
  ): Promise<Response> {
    const client = new DataDeletionClient({
      region: "us-east-1",
      credentials: { accessKeyId: env.KEY, secretAccessKey: env.SECRET },
      useEnvironment: false,
    });
    const users = await prepareDeletionCsv(req.body as ReadableStream<Uint8Array>);
    const out = await client.deleteUsers({
      users,
      s3Uri: "s3://bucket/deletions/",
      datasetGroupArn: env.DSG,
      roleArn: env.ROLE,
      wait: true,
    });
    return Response.json(out.jobs);
  },
};
