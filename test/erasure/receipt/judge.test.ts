// The receipt's verdict over a table of states: every stage, every reason left, and `complete` only when
// nothing is. The facts are written by hand, so the verdict is held to what a reader of AWS would conclude.
import { describe, expect, test } from "bun:test";
import {
  type ErasureFacts,
  isBefore,
  judge,
  STAGE_ORDER,
  type Stage,
} from "../../../src/erasure/receipt/judge.ts";
import type { ReceiptCampaign, ReceiptJob } from "../../../src/erasure/types.ts";
import type { LocationReport } from "../../../src/outside/types.ts";

const LOCATION = "s3://bucket/erasures/e.csv";
const SHA = "a".repeat(64);
const SOLUTION = "arn:aws:personalize:us-east-1:1:solution/s";
const OLD = `${SOLUTION}/old`;
const NEW = `${SOLUTION}/new`;
const CAMPAIGN = "arn:aws:personalize:us-east-1:1:campaign/c";
const RECOMMENDER = "arn:aws:personalize:us-east-1:1:recommender/r";
const NOW = Date.parse("2026-12-06T12:00:00Z");
const IMPORT = { kind: "dataset-import-job" as const, arn: "arn:import", status: "ACTIVE" };

const job = (over: Partial<ReceiptJob> = {}): ReceiptJob => ({
  purpose: "deletion",
  jobName: "e",
  status: "COMPLETED",
  dataLocation: LOCATION,
  sha256: SHA,
  interference: [],
  ...over,
});

const CAMPAIGN_ROW: ReceiptCampaign = {
  campaignArn: CAMPAIGN,
  solutionArn: SOLUTION,
  serving: NEW,
  target: NEW,
  followsLatest: false,
  movedByThisRun: true,
};

// An erasure with a retrain that went all the way: nothing is left.
function done(): ErasureFacts {
  return {
    retrainRequested: true,
    updateCampaigns: true,
    jobs: [job()],
    prepared: new Map([[LOCATION, SHA]]),
    files: [{ dataLocation: LOCATION, versionsDeleted: 1, versionsLeft: 0 }],
    solutions: [{ solutionArn: SOLUTION, trainedBefore: OLD, solutionVersionArn: NEW, status: "ACTIVE" }],
    campaigns: [
      {
        row: {
          campaignArn: CAMPAIGN,
          solutionArn: SOLUTION,
          serving: NEW,
          target: NEW,
          followsLatest: false,
          movedByThisRun: true,
        },
        servesTarget: true,
      },
    ],
    recommenders: [{ recommenderArn: RECOMMENDER, updatedSinceDeletion: true }],
    outside: [],
    now: NOW,
  };
}

type Row = [string, (f: ErasureFacts) => void, Stage, string[]];
const ROWS: Row[] = [
  ["nothing left", () => {}, "complete", []],
  [
    "no job yet",
    (f) => {
      f.jobs = [{ purpose: "deletion", jobName: "e", status: "NOT_CREATED", interference: [] }];
    },
    "not-started",
    ["no deletion job named e yet"],
  ],
  [
    "a job FAILED",
    (f) => {
      f.jobs = [job({ status: "FAILED", failureReason: "no access" })];
    },
    "failed",
    ["deletion job e FAILED: no access; erase again under another job name"],
  ],
  [
    "a job FAILED without a reason",
    (f) => {
      f.jobs = [job({ status: "FAILED" })];
    },
    "failed",
    ["deletion job e FAILED: no reason given; erase again under another job name"],
  ],
  [
    "a job made from another list",
    (f) => {
      f.jobs = [job({ sha256: "b".repeat(64) })];
    },
    "failed",
    [
      `deletion job e was not made from this run's list (its erasure-sha256 tag is ${"b".repeat(64)}, the list's is ${SHA}): erase this list under another job name`,
    ],
  ],
  [
    "a job without the list tag, for a list this run prepared",
    (f) => {
      f.jobs = [job({ sha256: undefined })];
    },
    "failed",
    [
      `deletion job e was not made from this run's list (its erasure-sha256 tag is missing, the list's is ${SHA}): erase this list under another job name`,
    ],
  ],
  [
    "a job without the list tag, for a run that prepared no list (status, a given data location)",
    (f) => {
      f.jobs = [job({ sha256: undefined })];
      f.prepared = new Map();
    },
    "complete",
    [],
  ],
  [
    "a job in progress",
    (f) => {
      f.jobs = [job({ status: "IN_PROGRESS" })];
    },
    "deleting",
    ["deletion job e is IN_PROGRESS"],
  ],
  [
    "a job pending",
    (f) => {
      f.jobs = [job({ status: "PENDING" })];
    },
    "deleting",
    ["deletion job e is PENDING"],
  ],
  [
    "an import ran during the job, no repeat yet",
    (f) => {
      f.jobs = [job({ interference: [IMPORT] })];
    },
    "repeating",
    ["imports or trainings ran during e (arn:import): AWS advises another deletion job (e-repeat-1)"],
  ],
  [
    "an import ran during the repeat job too",
    (f) => {
      f.jobs = [
        job({ interference: [IMPORT] }),
        job({ purpose: "repeat", jobName: "e-repeat-1", interference: [IMPORT] }),
      ];
    },
    "repeating",
    [
      "imports or trainings ran during the repeat job e-repeat-1 too: erase again once the dataset group is idle",
    ],
  ],
  [
    "an import ran during the job, and a clean repeat followed",
    (f) => {
      f.jobs = [job({ interference: [IMPORT] }), job({ purpose: "repeat", jobName: "e-repeat-1" })];
    },
    "complete",
    [],
  ],
  [
    "the file's versions could not be listed",
    (f) => {
      f.files = [{ dataLocation: LOCATION, versionsDeleted: 0, versionsLeft: null }];
    },
    "cleaning-up",
    [
      `${LOCATION}: its versions could not be listed (allow s3:ListBucketVersions), so it may still hold the ids`,
    ],
  ],
  [
    "the uploaded file is still there",
    (f) => {
      f.files = [{ dataLocation: LOCATION, versionsDeleted: 0, versionsLeft: 2 }];
    },
    "cleaning-up",
    [`${LOCATION} still holds the ids (2 versions; deleted once no job needs it; a later run removes it)`],
  ],
  [
    "a file the caller gave is still there",
    (f) => {
      f.files = [{ dataLocation: LOCATION, versionsDeleted: 0, versionsLeft: 1, givenByCaller: true }];
    },
    "cleaning-up",
    [`${LOCATION} still holds the ids (1 version; given by the caller, so not deleted by this tool)`],
  ],
  [
    "retrain asked, nothing trained yet",
    (f) => {
      f.solutions = [{ solutionArn: SOLUTION, trainedBefore: OLD }];
      f.campaigns = [
        {
          row: { ...CAMPAIGN_ROW, serving: OLD, target: undefined },
          servesTarget: false,
        },
      ];
    },
    "retraining",
    [
      `solution ${SOLUTION}: no version has been trained since the deletion`,
      `campaign ${CAMPAIGN}: serves ${OLD}, trained before the deletion`,
    ],
  ],
  [
    "retrain asked, the new version is still training",
    (f) => {
      f.solutions = [
        { solutionArn: SOLUTION, trainedBefore: OLD, solutionVersionArn: NEW, status: "CREATE IN_PROGRESS" },
      ];
      f.campaigns = [];
    },
    "retraining",
    [`solution ${SOLUTION}: its new version ${NEW} is CREATE IN_PROGRESS`],
  ],
  [
    "retrain asked, the new version failed",
    (f) => {
      f.solutions = [
        {
          solutionArn: SOLUTION,
          trainedBefore: OLD,
          solutionVersionArn: NEW,
          status: "CREATE FAILED",
          failureReason: "quota",
        },
      ];
      f.campaigns = [];
    },
    "retraining",
    [`solution ${SOLUTION}: its new version ${NEW} is CREATE FAILED (quota)`],
  ],
  [
    "the new version is ACTIVE, the campaign not moved yet",
    (f) => {
      f.campaigns = [{ row: { ...CAMPAIGN_ROW, serving: OLD }, servesTarget: false }];
    },
    "moving-campaigns",
    [`campaign ${CAMPAIGN}: serves ${OLD}, trained before the deletion; moving to ${NEW}`],
  ],
  [
    "the new version is ACTIVE, campaign updates are off",
    (f) => {
      f.updateCampaigns = false;
      f.campaigns = [{ row: { ...CAMPAIGN_ROW, serving: OLD }, servesTarget: false }];
    },
    "moving-campaigns",
    [`campaign ${CAMPAIGN}: serves ${OLD}, not the new version ${NEW} (campaign updates are off)`],
  ],
  [
    "no retrain asked: the models hold the users",
    (f) => {
      f.retrainRequested = false;
      f.solutions = [{ solutionArn: SOLUTION, trainedBefore: OLD }];
      f.campaigns = [
        {
          row: { ...CAMPAIGN_ROW, serving: OLD, target: undefined },
          servesTarget: false,
        },
      ];
    },
    "models-hold-users",
    [
      `solution ${SOLUTION}: the models still hold the users until a new solution version is trained`,
      `campaign ${CAMPAIGN}: serves ${OLD}, trained before the deletion`,
    ],
  ],
  [
    "a solution never trained holds nobody",
    (f) => {
      f.solutions = [{ solutionArn: SOLUTION }];
      f.campaigns = [];
    },
    "complete",
    [],
  ],
  [
    "a recommender not updated since the deletion",
    (f) => {
      f.recommenders = [{ recommenderArn: RECOMMENDER, updatedSinceDeletion: false }];
    },
    "models-hold-users",
    [
      `recommender ${RECOMMENDER}: last updated before the deletion; it holds the users until the service retrains it`,
    ],
  ],
  [
    "several things left: the stage is the earliest, reasons in the order of the steps",
    (f) => {
      f.jobs = [job({ status: "IN_PROGRESS" })];
      f.files = [{ dataLocation: LOCATION, versionsDeleted: 0, versionsLeft: 1 }];
      f.recommenders = [{ recommenderArn: RECOMMENDER, updatedSinceDeletion: false }];
    },
    "deleting",
    [
      "deletion job e is IN_PROGRESS",
      `${LOCATION} still holds the ids (1 version; deleted once no job needs it; a later run removes it)`,
      `recommender ${RECOMMENDER}: last updated before the deletion; it holds the users until the service retrains it`,
    ],
  ],
];

const place = (state: LocationReport["state"], objects: LocationReport["objects"] = []): LocationReport => ({
  kind: "batch-inference-output",
  location: "s3://data/batch/out/",
  jobArn: "arn:batch",
  state,
  objects,
});
const HOLDING = {
  key: "batch/out/a.out",
  noncurrent: false,
  bytes: 10,
  rows: 4,
  matching: 3,
  state: "holds-users" as const,
};

// completeEverywhere over every state of a location outside Personalize: only clean and scrubbed are done, and
// only when Personalize is complete; what is left outside is said in counts, never ids.
const OUTSIDE: [string, LocationReport[], boolean, string[]][] = [
  ["no location at all", [], true, []],
  ["clean", [place("clean")], true, []],
  ["scrubbed", [place("scrubbed")], true, []],
  ["clean and scrubbed", [place("clean"), place("scrubbed")], true, []],
  [
    "not scanned",
    [place("not-scanned")],
    false,
    [
      "outside Personalize: s3://data/batch/out/ (batch-inference-output of arn:batch) may hold the users: not scanned (scan it with --scan, or scrub it with --scrub)",
    ],
  ],
  [
    "holds users",
    [place("clean"), place("holds-users", [HOLDING, { ...HOLDING, noncurrent: true, versionId: "v1" }])],
    false,
    [
      "outside Personalize: s3://data/batch/out/ (batch-inference-output of arn:batch) holds 6 rows of erased users in 2 object versions (scrub it with --scrub)",
    ],
  ],
  [
    "unreadable, with its reason",
    [place("unreadable", [{ ...HOLDING, state: "unreadable", reason: "no USER_ID header", matching: 0 }])],
    false,
    [
      "outside Personalize: s3://data/batch/out/ (batch-inference-output of arn:batch) could not be read: no USER_ID header",
    ],
  ],
];

describe("judge outside Personalize", () => {
  for (const [label, outside, everywhere, pending] of OUTSIDE) {
    test(label, () => {
      const facts = done();
      facts.outside = outside;
      expect(judge(facts)).toEqual({
        stage: "complete",
        complete: true,
        completeEverywhere: everywhere,
        pending: [],
        outsidePending: pending,
      });
    });
  }

  test("never complete everywhere while Personalize is not complete", () => {
    const facts = done();
    facts.outside = [place("scrubbed")];
    facts.jobs = [job({ status: "IN_PROGRESS" })];
    expect(judge(facts)).toMatchObject({ stage: "deleting", complete: false, completeEverywhere: false });
  });
});

describe("judge", () => {
  for (const [label, change, stage, pending] of ROWS) {
    test(label, () => {
      const facts = done();
      change(facts);
      const verdict = judge(facts);
      const complete = stage === "complete";
      expect(verdict).toEqual({ stage, complete, completeEverywhere: complete, pending, outsidePending: [] });
    });
  }

  test("a recommender's date of the weekly retraining: pending until it passes, then done", () => {
    const facts = done();
    const by = new Date(NOW + 60_000).toISOString();
    facts.recommenders = [{ recommenderArn: RECOMMENDER, updatedSinceDeletion: false, forgottenBy: by }];
    expect(judge(facts)).toEqual({
      stage: "models-hold-users",
      complete: false,
      completeEverywhere: false,
      pending: [
        `recommender ${RECOMMENDER}: holds the users until the service's weekly full retraining, by ${by}`,
      ],
      outsidePending: [],
    });
    facts.now = NOW + 60_000;
    expect(judge(facts)).toMatchObject({ stage: "complete", complete: true, pending: [] });
  });

  test("the table covers every stage", () => {
    const covered = new Set(ROWS.map(([, , stage]) => stage));
    for (const stage of [...STAGE_ORDER, "complete" as const]) expect(covered.has(stage)).toBe(true);
  });

  test("isBefore follows the order of the steps; complete is before nothing", () => {
    expect(isBefore("deleting", "cleaning-up")).toBe(true);
    expect(isBefore("cleaning-up", "cleaning-up")).toBe(false);
    expect(isBefore("retraining", "cleaning-up")).toBe(false);
    expect(isBefore("complete", "not-started")).toBe(false);
  });
});
