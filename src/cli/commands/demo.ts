import { startEmulator } from "../../emulator/node-server.ts";
import { type EraseUsersEvent, ErasureClient, outsideLine } from "../../erasure/index.ts";
import { prepareDeletionCsv } from "../../index.ts";
import { type Flags, numeric, type Parsed } from "../options.ts";
import { duration, type Output, plural, table } from "../output.ts";

export const flags: Flags = {
  "job-seconds": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const SAMPLE_CSV = `USER_ID,REASON
user-003,account closed
user-007,erasure request
user-011,erasure request
user-007,duplicate request
 user-019 ,trailing spaces
user-999,never seen by this dataset group
`;

/** `demo`: the whole flow on the embedded emulator. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const jobSeconds = numeric(values, "job-seconds", { fallback: 3, min: 0, max: 3600 });
  const credentials = { accessKeyId: "demo", secretAccessKey: "demo-secret" };
  // Training and a campaign update take a fraction of the job's time here; on AWS, hours and minutes.
  const running = await startEmulator({
    port: 0,
    jobSeconds,
    trainingSeconds: jobSeconds / 2,
    campaignSeconds: jobSeconds / 3,
    // The users' data around Personalize in S3: the import's source file, batch files, an export.
    outsideData: true,
    ...credentials,
  });
  try {
    const { emulator, endpoint } = running;
    const before = emulator.state.users(emulator.datasetGroupArn)?.length ?? 0;
    output.info(`emulator: ${endpoint} (dataset group ${emulator.datasetGroupArn}, ${before} users)`);
    const client = new ErasureClient({
      region: "us-east-1",
      credentials,
      endpoint,
      s3Endpoint: endpoint,
      useEnvironment: false,
    });
    // Ids are erased exactly as written: the padded one is refused until trimming is asked for.
    const refused = await prepareDeletionCsv(SAMPLE_CSV).then(
      () => undefined,
      (error: Error) => error.message,
    );
    if (refused) output.info(`as written, the list is refused: ${refused}`);
    const prepared = await prepareDeletionCsv(SAMPLE_CSV, { trimIds: true });
    output.info(
      `prepared with trimIds (--trim-ids): ${plural(prepared.userCount, "unique user id")} from ${plural(prepared.rows, "row")} (${plural(prepared.duplicateCount, "duplicate")} removed, ${plural(prepared.trimmedCount ?? 0, "id")} trimmed)`,
    );
    const requested = new TextDecoder().decode(prepared.files[0]).split("\n").slice(1, -1);
    const known = new Set(emulator.state.users(emulator.datasetGroupArn));
    const unknown = requested.filter((u) => !known.has(u));
    const records = (emulator.state.datasetGroups.get(emulator.datasetGroupArn) ?? []).filter((r) =>
      requested.includes(r.userId),
    ).length;
    if (unknown.length > 0) {
      output.info(
        `of those, ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not in the dataset group: nothing to delete for ${unknown.length === 1 ? "it" : "them"}`,
      );
    }
    const started = Date.now();
    const input = {
      users: prepared,
      s3Uri: `s3://${emulator.bucket}/deletions/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      jobName: "demo-erasure",
      wait: { minDelayMs: 250, maxDelayMs: 1000 },
      onProgress: (event: EraseUsersEvent) => {
        if (event.phase === "upload")
          output.info(`uploaded: ${event.dataLocation} (${event.bytes} bytes, SHA-256 signed)`);
        if (event.phase === "create")
          output.info(`${event.adopted ? "adopted (a re-run)" : "created"}: ${event.dataDeletionJobArn}`);
        if (event.phase === "wait")
          output.progress(
            `waiting: ${event.status} after ${duration(event.elapsedMs)}`,
            String(event.status),
          );
        if (event.phase === "cleanup")
          output.info(
            event.versionsDeleted === 0
              ? `cleaned up: nothing is left of ${event.dataLocation}`
              : `cleaned up: deleted ${event.dataLocation}, ${plural(event.versionsDeleted ?? 1, "version")} (the id list is personal data)`,
          );
        if (event.phase === "retrain")
          output.progress(
            `retraining: ${event.solutionVersionArn.replace(/^.*:solution\//, "")} ${event.status}`,
            `r${event.status}`,
          );
        if (event.phase === "campaign")
          output.progress(`moving the campaign: ${event.status}`, `c${event.status}`);
        if (event.phase === "outside")
          output.info(
            `outside Personalize: ${event.location} (${event.kind}): ${event.state}, ${plural(event.matching, "row")} of erased users`,
          );
      },
    };
    const campaignModel = () => {
      const { campaigns, versions } = emulator.state.world.data();
      const serving = campaigns[0]?.solutionVersionArn;
      return versions.find((v) => v.solutionVersionArn === serving)?.users ?? [];
    };
    // First as a plain deletion: the job COMPLETES, yet the model the campaign serves still holds the users.
    const first = await client.eraseUsers(input);
    output.done();
    const stillInModel = requested.filter((u) => campaignModel().includes(u));
    output.info(`without --retrain: ${first.receipt.stage}; ${first.receipt.pending.join("; ")}`);
    output.info(`the campaign's model still holds ${stillInModel.join(", ") || "none of them"}`);
    output.info(`without --scrub: ${outsideLine(first.receipt)}`);
    // Then the same erasure again, with the retrain and the scrub: it adopts the job and finishes what is left.
    output.info("running the same erasure again with --retrain --scrub:");
    const result = await client.eraseUsers({ ...input, retrain: true, scrub: true });
    output.done();
    const job = result.jobs[0];
    const left = emulator.state.users(emulator.datasetGroupArn) ?? [];
    const inModel = requested.filter((u) => campaignModel().includes(u));
    const summary = {
      endpoint,
      datasetGroupArn: emulator.datasetGroupArn,
      job: {
        jobName: job?.jobName,
        dataDeletionJobArn: job?.dataDeletionJobArn,
        status: job?.status,
        numDeleted: job?.numDeleted,
      },
      usersRequested: requested.length,
      usersNotInDatasetGroup: unknown,
      recordsOfRequestedUsers: records,
      usersBefore: before,
      usersLeft: left.length,
      deletedUsersStillPresent: requested.filter((u) => left.includes(u)),
      heldByModelWithoutRetrain: stillInModel,
      heldByModelAfterRetrain: inModel,
      receipt: result.receipt,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    output.result(summary, () =>
      table(
        ["", ""],
        [
          ["job", summary.job.jobName],
          ["status", summary.job.status],
          [
            "records deleted",
            `${summary.job.numDeleted} (numDeleted counts dataset records: the ${plural(records, "interaction")} of the ${plural(requested.length - unknown.length, "user")} there)`,
          ],
          ["users before / left", `${summary.usersBefore} / ${summary.usersLeft}`],
          [
            "deleted users still present",
            summary.deletedUsersStillPresent.length === 0
              ? "none"
              : summary.deletedUsersStillPresent.join(", "),
          ],
          ["in the campaign's model", `${stillInModel.length} before the retrain, ${inModel.length} after`],
          [
            "erasure",
            result.receipt.complete
              ? "complete (receipt: --json)"
              : `not complete: ${result.receipt.pending.join("; ")}`,
          ],
          ["outside Personalize", outsideLine(result.receipt).replace(/^Outside Personalize: /, "")],
          ["arn", summary.job.dataDeletionJobArn],
        ],
      ).replace(/^.*\n/, ""),
    );
    const ok =
      job?.status === "COMPLETED" && summary.deletedUsersStillPresent.length === 0 && inModel.length === 0;
    return ok && result.receipt.completeEverywhere ? 0 : 1;
  } finally {
    await running.close();
  }
}
