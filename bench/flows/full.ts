// Worker flow (b): the whole flow from an array of ids (serialize, upload, create, wait).
import { DataDeletionClient } from "../../src/index.ts";

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
    const users = (await req.json()) as string[];
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
