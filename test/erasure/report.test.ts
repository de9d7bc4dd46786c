// The one reporter of the CLI and the action, over events: what it says of each, when a wait speaks (a change,
// a heartbeat) and when it keeps quiet (a look that changed nothing), and that its memory is per run.
import { describe, expect, test } from "bun:test";
import type { EraseUsersEvent } from "../../src/erasure/index.ts";
import { duration, progressReporter, type Report, STAGE_TITLES } from "../../src/erasure/report.ts";
import { NetworkError } from "../../src/errors.ts";

const JOB = "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/erase-1";
const VERSION = "arn:aws:personalize:us-east-1:000000000000:solution/shop/abc";
const CAMPAIGN = "arn:aws:personalize:us-east-1:000000000000:campaign/shop";

// Every line said over a sequence of events, as "kind: text".
function said(events: EraseUsersEvent[]): string[] {
  const report = progressReporter();
  return events
    .flatMap(report)
    .map((r: Report) => (r.kind === "stage" ? `stage: ${r.title}` : `${r.kind}: ${r.text}`));
}

const look = (elapsedMs: number, status: "PENDING" | "IN_PROGRESS" | "COMPLETED", heartbeat = false) =>
  ({ phase: "wait", jobName: "erase-1", status, elapsedMs, job: undefined, heartbeat }) as const;

describe("a wait", () => {
  test("says its state when it changes, 'still …' on a heartbeat, and nothing for a look that changed nothing", () => {
    expect(
      said([
        look(0, "PENDING"),
        look(5_000, "PENDING"),
        look(30_000, "PENDING", true),
        look(45_000, "PENDING"),
        look(60_000, "IN_PROGRESS", true),
        look(90_000, "IN_PROGRESS", true),
        look(130_000, "COMPLETED"),
      ]),
    ).toEqual([
      "progress: erase-1: PENDING after 0s",
      "still: erase-1: still PENDING after 30s; AWS says up to a day",
      // A change on a heartbeat is said as the change.
      "progress: erase-1: IN_PROGRESS after 1m00s",
      "still: erase-1: still IN_PROGRESS after 1m30s; AWS says up to a day",
      "progress: erase-1: COMPLETED after 2m10s",
    ]);
  });

  test("each wait keeps its own state: two jobs, a training, a campaign", () => {
    const report = progressReporter();
    const lines = [
      look(0, "PENDING"),
      { ...look(0, "PENDING"), jobName: "erase-1-repeat-1" },
      look(30_000, "PENDING", true),
      {
        phase: "retrain",
        solutionArn: "s",
        solutionVersionArn: VERSION,
        status: "CREATE IN_PROGRESS",
        adopted: false,
        elapsedMs: 0,
      },
      {
        phase: "campaign",
        campaignArn: CAMPAIGN,
        solutionVersionArn: VERSION,
        status: "ACTIVE",
        elapsedMs: 0,
      },
      {
        phase: "retrain",
        solutionArn: "s",
        solutionVersionArn: VERSION,
        status: "CREATE IN_PROGRESS",
        adopted: false,
        elapsedMs: 7_260_000,
        heartbeat: true,
      },
    ].flatMap((e) => report(e as EraseUsersEvent));
    expect(lines.map((l) => (l.kind === "stage" ? "" : l.text))).toEqual([
      "erase-1: PENDING after 0s",
      "erase-1-repeat-1: PENDING after 0s",
      "erase-1: still PENDING after 30s; AWS says up to a day",
      `Training ${VERSION}: CREATE IN_PROGRESS after 0s`,
      `Campaign ${CAMPAIGN} moving to ${VERSION}: ACTIVE after 0s`,
      `Training ${VERSION}: still CREATE IN_PROGRESS after 2h01m; a training can take hours`,
    ]);
    // A key per wait and state, so a display that rewrites a line in place knows when it is a new one.
    expect(new Set(lines.map((l) => (l.kind === "progress" ? l.key : ""))).size).toBe(5);
  });

  test("a failed look says so and the wait goes on; the state after it is not news", () => {
    const failed = { ...look(10_000, "PENDING"), error: new NetworkError("connection reset") };
    expect(said([look(0, "PENDING"), failed, look(20_000, "PENDING")])).toEqual([
      "progress: erase-1: PENDING after 0s",
      "info: erase-1: poll failed after 10s (NetworkError: connection reset); retrying",
    ]);
  });

  test("room: silent while there is room, then the jobs it waits behind, and a heartbeat", () => {
    expect(
      said([
        { phase: "room", pending: 2, limit: 5, elapsedMs: 0 },
        { phase: "room", pending: 5, limit: 5, elapsedMs: 0 },
        { phase: "room", pending: 5, limit: 5, elapsedMs: 30_000, heartbeat: true },
        { phase: "room", pending: 6, limit: 5, elapsedMs: 40_000 },
      ]),
    ).toEqual([
      "progress: Waiting for room: 5 jobs PENDING (limit 5) after 0s",
      "still: Waiting for room: still 5 jobs PENDING (limit 5) after 30s; a PENDING job can take minutes to hours to start",
      "progress: Waiting for room: 6 jobs PENDING (limit 5) after 40s",
    ]);
  });

  test("the preflight and the retrain's hold name what they wait for", () => {
    const busy = [{ kind: "solution-version", arn: VERSION, status: "CREATE PENDING" }];
    expect(
      said([
        { phase: "preflight", busy, elapsedMs: 0 } as EraseUsersEvent,
        { phase: "preflight", busy, elapsedMs: 30_000, heartbeat: true } as EraseUsersEvent,
        { phase: "preflight", busy: [], elapsedMs: 35_000 },
        { phase: "hold", waitingFor: [JOB], elapsedMs: 0 },
        { phase: "hold", waitingFor: [JOB], elapsedMs: 30_000, heartbeat: true },
      ]),
    ).toEqual([
      `progress: Dataset group: in use: solution-version ${VERSION} (CREATE PENDING) after 0s`,
      `still: Dataset group: still in use: solution-version ${VERSION} (CREATE PENDING) after 30s; nothing is uploaded until it is idle`,
      "progress: Dataset group: idle after 35s",
      `progress: Retrain waits for other deletion jobs to end (a training now would void their deletion): ${JOB} after 0s`,
      `still: Retrain waits for other deletion jobs to end (a training now would void their deletion): still ${JOB} after 30s; AWS says a deletion job can take up to a day`,
    ]);
  });
});

describe("the flow's steps", () => {
  test("prepare, upload, create, cleanup and an interference, in words; stages as the log's groups", () => {
    expect(
      said([
        { phase: "prepare", userCount: 3, duplicateCount: 1, bytes: 33, files: 1 },
        { phase: "stage", stage: "preflight" },
        { phase: "stage", stage: "upload" },
        { phase: "upload", dataLocation: "s3://b/e.csv", bytes: 33, created: true },
        { phase: "upload", dataLocation: "s3://b/e.csv", bytes: 1, created: false },
        { phase: "create", jobName: "e", dataDeletionJobArn: JOB, adopted: false },
        { phase: "create", jobName: "e", dataDeletionJobArn: JOB, adopted: true },
        {
          phase: "interference",
          jobName: "e",
          activity: [{ kind: "dataset-import-job", arn: "arn:import", status: "ACTIVE" }],
          repeatJobName: "e-repeat-1",
        } as EraseUsersEvent,
        { phase: "cleanup", dataLocation: "s3://b/e.csv", versionsDeleted: 2 },
        { phase: "cleanup", dataLocation: "s3://b/e.csv", versionsDeleted: 1 },
        { phase: "cleanup", dataLocation: "s3://b/e.csv" },
        { phase: "cleanup", dataLocation: "s3://b/e.csv", versionsDeleted: 0 },
      ]),
    ).toEqual([
      "info: 3 unique user ids, 1 duplicate removed, 33 bytes in 1 file",
      "stage: Upload and create the deletion job",
      "stage: Check that nothing imports or trains (preflight)",
      "stage: Upload and create the deletion job",
      "info: Uploaded s3://b/e.csv (33 bytes)",
      "info: Uploaded s3://b/e.csv (1 byte): an identical object was already there",
      `info: Created e: ${JOB}`,
      `info: Adopted the existing job (a re-run) e: ${JOB}`,
      "warning: dataset-import-job arn:import ran during e: AWS does not guarantee the deletion from models, so e-repeat-1 repeats it",
      "info: Deleted the uploaded s3://b/e.csv, 2 versions (the list of ids is personal data)",
      "info: Deleted the uploaded s3://b/e.csv, 1 version (the list of ids is personal data)",
      "info: Deleted the uploaded s3://b/e.csv (the list of ids is personal data)",
      "info: Nothing was left of the uploaded s3://b/e.csv",
    ]);
  });

  test("an interference is a warning with its title; every stage has a title", () => {
    const [warning] = progressReporter()({
      phase: "interference",
      jobName: "e",
      activity: [],
      repeatJobName: "e-repeat-1",
    });
    expect(warning).toMatchObject({ kind: "warning", title: "Import or training during the deletion" });
    for (const stage of ["preflight", "upload", "wait", "cleanup", "retrain", "receipt"] as const) {
      expect(progressReporter()({ phase: "stage", stage })).toEqual([
        { kind: "stage", stage, title: STAGE_TITLES[stage] },
      ]);
    }
  });
});

test("two runs do not share memory: each says its first state", () => {
  const first = progressReporter();
  const second = progressReporter();
  expect(first(look(0, "PENDING"))).toHaveLength(1);
  expect(first(look(1_000, "PENDING"))).toHaveLength(0);
  expect(second(look(1_000, "PENDING"))).toHaveLength(1);
});

test("durations: seconds, minutes and seconds, hours and minutes", () => {
  expect([0, 12_999, 60_000, 245_000, 3_599_000, 3_600_000, 7_380_000].map(duration)).toEqual([
    "0s",
    "12s",
    "1m00s",
    "4m05s",
    "59m59s",
    "1h00m",
    "2h03m",
  ]);
});
