// 200 concurrent clients doing describe/list against the emulator for a while; prints requests and errors.
import { DataDeletionJobsClient } from "personalize-data-deletion";

const [endpoint, arn, dsg, secondsArg, clientsArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const until = Date.now() + Number(secondsArg) * 1000;
let requests = 0;
let errors = 0;
const client = new DataDeletionJobsClient({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  endpoint,
  maxAttempts: 1,
  useEnvironment: false,
});
await Promise.all(
  Array.from({ length: Number(clientsArg) }, async (_, i) => {
    while (Date.now() < until) {
      try {
        if (i % 2 === 0) await client.describeDataDeletionJob({ dataDeletionJobArn: arn });
        else await client.listDataDeletionJobs({ datasetGroupArn: dsg, maxResults: 10 });
        requests++;
      } catch {
        errors++;
      }
    }
  }),
);
console.log(JSON.stringify({ requests, errors }));
