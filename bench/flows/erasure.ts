// Worker flow (d): a cron tick of the complete erasure: continueErasure with the retrain, looking only.
import { ErasureClient } from "../../src/erasure/index.ts";

export default {
  async scheduled(
    _event: unknown,
    env: { KEY: string; SECRET: string; DSG: string; JOB: string },
  ): Promise<void> {
    const client = new ErasureClient({
      region: "us-east-1",
      credentials: { accessKeyId: env.KEY, secretAccessKey: env.SECRET },
      useEnvironment: false,
    });
    await client.continueErasure({
      datasetGroupArn: env.DSG,
      jobName: env.JOB,
      retrain: true,
      wait: { timeoutMs: 0 },
    });
  },
};
