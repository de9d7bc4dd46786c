// Room under the dataset group's limit of PENDING deletion jobs (src/deletion/room.ts): what is counted
// (a scripted jobs object, so each summary's part in the count is plain), how a create that meets the limit
// anyway waits and tries again, and the wait for room through the whole flow against the emulator.
import { afterEach, describe, expect, test } from "bun:test";
import type { FlowContext } from "../../src/deletion/context.ts";
import { countPendingJobs, createWithRoom } from "../../src/deletion/room.ts";
import { LimitExceededException, RoomTimeoutError, WaiterTimeoutError } from "../../src/index.ts";
import type { CreateDataDeletionJobInput, DataDeletionJobSummary } from "../../src/model/types.ts";
import { clientFor, ROLE_ARN } from "../support/client.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { startVerifyingServer, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const DSG = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop";

// Jobs whose every listing yields the next of `pages` (the last one repeats), recording what was asked.
function scriptedJobs(pages: DataDeletionJobSummary[][]) {
  const asked: { input: object; signal: AbortSignal | undefined }[] = [];
  return {
    asked,
    async *paginateDataDeletionJobs(input: object = {}, options: { signal?: AbortSignal } = {}) {
      asked.push({ input, signal: options.signal });
      yield* pages[Math.min(asked.length - 1, pages.length - 1)] as DataDeletionJobSummary[];
    },
  };
}

const job = (jobName: string, status: DataDeletionJobSummary["status"]): DataDeletionJobSummary => ({
  jobName,
  status,
  dataDeletionJobArn: `arn:aws:personalize:us-east-1:000000000000:data-deletion-job/${jobName}`,
});

describe("countPendingJobs", () => {
  test("counts only PENDING jobs, of the group asked, in pages of 100, with the caller's signal", async () => {
    const jobs = scriptedJobs([
      [
        job("a", "PENDING"),
        job("b", "IN_PROGRESS"),
        job("c", "COMPLETED"),
        job("d", "FAILED"),
        job("e", "PENDING"),
        job("f", "PENDING"),
      ],
    ]);
    const signal = new AbortController().signal;
    expect(await countPendingJobs(jobs, DSG, { signal })).toBe(3);
    expect(jobs.asked).toEqual([{ input: { datasetGroupArn: DSG, pageSize: 100 }, signal }]);
  });

  test("skips the job named `except` (its own create being retried), and only that one", async () => {
    const jobs = scriptedJobs([
      [job("mine", "PENDING"), job("mine-part-2", "PENDING"), job("other", "PENDING")],
    ]);
    expect(await countPendingJobs(jobs, DSG, { except: "mine" })).toBe(2);
    expect(await countPendingJobs(jobs, DSG, { except: "absent" })).toBe(3);
    expect(await countPendingJobs(scriptedJobs([[]]), DSG)).toBe(0);
  });
});

describe("createWithRoom", () => {
  test("a create that meets the PENDING limit waits until fewer jobs are PENDING than now, then tries again", async () => {
    const clock = fakeClock();
    const request: CreateDataDeletionJobInput = {
      jobName: "mine",
      datasetGroupArn: DSG,
      roleArn: ROLE_ARN,
      dataSource: { dataLocation: "s3://bucket/mine.csv" },
    };
    const others = (n: number) => Array.from({ length: n }, (_, i) => job(`other-${i}`, "PENDING"));
    // At the refusal 3 others are PENDING (and the job itself, which is not in its own way): room is
    // fewer than 3; the first look still sees 3, the second 2.
    const jobs = scriptedJobs([[job("mine", "PENDING"), ...others(3)], [...others(3)], [...others(2)]]);
    const creates: number[] = [];
    const context = {
      jobs: {
        ...jobs,
        clock,
        region: "us-east-1",
        async createDataDeletionJob() {
          creates.push(clock.now());
          if (creates.length === 1) {
            throw new LimitExceededException(
              "The maximum number of PENDING data deletion jobs has been reached",
              {
                httpStatus: 400,
              },
            );
          }
          return { dataDeletionJobArn: "arn:mine", adopted: false };
        },
      },
    } as unknown as FlowContext;
    const rooms: [number, number][] = [];
    const out = await createWithRoom(context, request, { maxPendingJobs: 5 }, (event) => {
      if (event.phase === "room") rooms.push([event.pending, event.limit]);
    });
    expect(out).toEqual({ dataDeletionJobArn: "arn:mine", adopted: false });
    expect(jobs.asked.map((a) => a.input)).toEqual([
      { datasetGroupArn: DSG, pageSize: 100 },
      { datasetGroupArn: DSG, pageSize: 100 },
      { datasetGroupArn: DSG, pageSize: 100 },
    ]);
    expect(rooms).toEqual([
      [3, 3],
      [2, 3],
    ]);
    // The second create came after one wait at the room's pace (30 s, 3/4 of it at random() = 0.5).
    expect((creates[1] as number) - (creates[0] as number)).toBe(22_500);
  });

  test("a rate limit (retryable) is not a lack of room: it is thrown as it is, nothing counted", async () => {
    const jobs = scriptedJobs([[]]);
    const rate = new LimitExceededException("Rate exceeded", { httpStatus: 400, retryable: true });
    const context = {
      jobs: {
        ...jobs,
        clock: fakeClock(),
        async createDataDeletionJob() {
          throw rate;
        },
      },
    } as unknown as FlowContext;
    const request = {
      jobName: "j",
      datasetGroupArn: DSG,
      roleArn: ROLE_ARN,
      dataSource: { dataLocation: "s3://b/k" },
    };
    await expect(createWithRoom(context, request, { maxPendingJobs: 5 })).rejects.toBe(rate);
    expect(jobs.asked).toEqual([]);
  });
});

describe("the wait for room, through deleteUsers", () => {
  test("no room before the wait timeout is a RoomTimeoutError naming the dataset group and the job, at its own pace", async () => {
    const clock = fakeClock(Date.now());
    server = startVerifyingServer({ jobSeconds: 100_000, pendingLimit: 1, now: clock.now });
    const { emulator } = server;
    const client = clientFor(server, { clock });
    await client.deleteUsers({
      users: ["user-001"],
      s3Uri: `s3://${emulator.bucket}/busy/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "first",
    });
    const room: [number, boolean][] = [];
    const lists: number[] = [];
    server.intercept = (req) => {
      if (req.target?.endsWith("ListDataDeletionJobs")) lists.push(clock.now());
      return undefined;
    };
    const error = await client
      .deleteUsers({
        users: Array.from({ length: 30 }, (_, i) => `user-${String(i + 10).padStart(3, "0")}`),
        s3Uri: `s3://${emulator.bucket}/busy/`,
        datasetGroupArn: emulator.datasetGroupArn,
        roleArn: ROLE_ARN,
        jobName: "second",
        maxFileBytes: 100,
        maxPendingJobs: 1,
        wait: { timeoutMs: 10 * 60_000, minDelayMs: 1, maxDelayMs: 1 },
        onProgress: (event) =>
          event.phase === "room" && room.push([event.elapsedMs, event.heartbeat === true]),
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RoomTimeoutError);
    expect(error).not.toBeInstanceOf(WaiterTimeoutError);
    expect(error.datasetGroupArn).toBe(emulator.datasetGroupArn);
    expect(error.jobName).toBe("second-part-1");
    expect([error.pending, error.limit]).toEqual([1, 1]);
    expect(error.elapsedMs).toBe(10 * 60_000);
    // The room's own pace, not the job waiter's 1 ms: a look every 30 s (3/4 of it at random() = 0.5) for
    // 5 min, then a tenth of the time waited, 3/4 of it; and a heartbeat at each 30 s mark between looks.
    const looks = lists.map((at) => at - (lists[0] as number));
    expect(looks.slice(0, 4)).toEqual([0, 22_500, 45_000, 67_500]);
    // The last look is the deadline's.
    expect(looks.at(-1)).toBe(10 * 60_000);
    for (const [i, at] of looks.slice(1, -1).entries()) {
      const before = looks[i] as number;
      expect(at - before).toBeCloseTo(0.75 * Math.max(30_000, before / 10), 0);
    }
    expect(looks.at(-2)).toBeGreaterThan(9 * 60_000);
    expect(room.filter(([, heartbeat]) => heartbeat).map(([at]) => at)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i + 1) * 30_000),
    );
    // Nothing of the waiting part was uploaded.
    expect([...(emulator.state.buckets.get(emulator.bucket)?.keys() ?? [])]).toEqual(["busy/first.csv"]);
  });
});
