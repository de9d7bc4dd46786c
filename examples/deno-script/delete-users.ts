// The Deno variant of examples/bun-script: only reading the file and the environment differ.
//   cd examples/deno-script && deno run --allow-net --allow-env --allow-read delete-users.ts users.csv
// --allow-net for Personalize and S3 (narrowed by --allow-net=HOST,HOST to their endpoints), --allow-env for
// the AWS_* variables, --allow-read for the list of ids. In this repository
// deno.json maps the package to ../../src and its dependencies to the repository's node_modules, so it
// runs offline; in a project of your own, `deno add jsr:@personalize-data-deletion/personalize-data-deletion`.
import { DataDeletionClient, DataDeletionError, prepareDeletionCsv } from "personalize-data-deletion";

declare const Deno: {
  args: string[];
  env: { get(name: string): string | undefined };
  open(path: string): Promise<{ readable: ReadableStream<Uint8Array> }>;
  exit(code: number): never;
};

const [path] = Deno.args;
if (!path) {
  console.error("usage: delete-users.ts FILE (a CSV with a USER_ID column, or one id per line)");
  Deno.exit(2);
}
function required(name: string): string {
  const value = Deno.env.get(name);
  if (value) return value;
  console.error(`set ${name}`);
  return Deno.exit(2);
}

try {
  const users = await prepareDeletionCsv((await Deno.open(path)).readable, { headerless: "auto" });
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
  Deno.exit(error instanceof DataDeletionError && error.name === "DataDeletionJobFailedError" ? 1 : 3);
}
