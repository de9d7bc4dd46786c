// Deletes the users listed in a file from a Personalize dataset group and waits for the job.
//   bun examples/bun-script/delete-users.ts users.csv
// Configuration: AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN), and
// DELETION_S3_URI, DATASET_GROUP_ARN, ROLE_ARN; AWS_ENDPOINT_URL for the emulator.
import { DataDeletionClient, DataDeletionError, prepareDeletionCsv } from "personalize-data-deletion";

const [path] = Bun.argv.slice(2);
if (!path) {
  console.error("usage: bun delete-users.ts FILE (a CSV with a USER_ID column, or one id per line)");
  process.exit(2);
}
function required(name: string): string {
  const value = Bun.env[name];
  if (value) return value;
  console.error(`set ${name}`);
  return process.exit(2);
}

try {
  const users = await prepareDeletionCsv(Bun.file(path), { headerless: "auto" });
  console.error(
    `${users.userCount} unique user id${users.userCount === 1 ? "" : "s"}, ${users.duplicateCount} duplicate${users.duplicateCount === 1 ? "" : "s"} removed`,
  );
  const { jobs } = await new DataDeletionClient().deleteUsers({
    users,
    s3Uri: required("DELETION_S3_URI"),
    datasetGroupArn: required("DATASET_GROUP_ARN"),
    roleArn: required("ROLE_ARN"),
    wait: {
      onPoll: ({ status, elapsedMs }) => console.error(`${status} after ${Math.round(elapsedMs / 1000)} s`),
    },
  });
  for (const job of jobs) console.log(`${job.jobName} ${job.status} numDeleted=${job.numDeleted}`);
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof DataDeletionError && error.name === "DataDeletionJobFailedError" ? 1 : 3);
}
