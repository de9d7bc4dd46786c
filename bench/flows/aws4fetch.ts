// The floor: aws4fetch alone signing one request.
import { AwsClient } from "aws4fetch";

export default {
  async fetch(_req: Request, env: { KEY: string; SECRET: string }): Promise<Response> {
    const aws = new AwsClient({
      accessKeyId: env.KEY,
      secretAccessKey: env.SECRET,
      service: "personalize",
      region: "us-east-1",
    });
    return aws.fetch("https://personalize.us-east-1.amazonaws.com/", { method: "POST", body: "{}" });
  },
};
