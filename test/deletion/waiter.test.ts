import { describe, expect, test } from "bun:test";
import { type PollEvent, pollJob } from "../../src/deletion/waiter.ts";
import {
  AbortError,
  DataDeletionJobFailedError,
  NetworkError,
  ResourceNotFoundException,
  WaiterTimeoutError,
} from "../../src/index.ts";
import { clientFor } from "../support/client.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { startVerifyingServer } from "../support/verifying-server.ts";

const ARN = "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/w";

function scripted(steps: (string | Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    describe: async () => {
      const step = steps[Math.min(calls++, steps.length - 1)] as string | Error;
      if (step instanceof Error) throw step;
      return {
        dataDeletionJobArn: ARN,
        status: step,
        ...(step === "FAILED" ? { failureReason: "no access" } : {}),
      };
    },
  };
}

describe("pollJob on scripted statuses with a fake clock", () => {
  // A job whose status follows the clock: PENDING, IN_PROGRESS from `startsAt`, COMPLETED from `endsAt`.
  function timed(clock: { now(): number }, startsAt: number, endsAt: number) {
    return async () => {
      const at = clock.now();
      return {
        dataDeletionJobArn: ARN,
        status: at >= endsAt ? "COMPLETED" : at >= startsAt ? "IN_PROGRESS" : "PENDING",
      };
    };
  }

  test("sees a job ended within a tenth of the time it ran: a 50 s job by 55 s, a 3 h job within 60 s", async () => {
    const clock = fakeClock(0);
    const polls: string[] = [];
    const job = await pollJob(
      ARN,
      timed(clock, 20_000, 50_000),
      { onPoll: (e) => polls.push(`${e.status}@${Math.round(e.elapsedMs)}`) },
      clock,
    );
    expect(job.status).toBe("COMPLETED");
    expect(polls[0]).toBe("PENDING@0");
    const completed = Number(polls.at(-1)?.replace("COMPLETED@", ""));
    expect(completed).toBeGreaterThanOrEqual(50_000);
    expect(completed).toBeLessThanOrEqual(55_000);
    const long = fakeClock(0);
    await pollJob(ARN, timed(long, 3_600_000, 3 * 3_600_000), {}, long);
    expect(long.now()).toBeGreaterThanOrEqual(3 * 3_600_000);
    expect(long.now()).toBeLessThanOrEqual(3 * 3_600_000 + 60_000);
  });

  test("onPoll hears from a 10-minute wait at every 30 s mark: a display of changes and heartbeats is never silent longer", async () => {
    const clock = fakeClock(0);
    const events: PollEvent[] = [];
    await pollJob(ARN, timed(clock, 100_000, 600_000), { onPoll: (e) => events.push(e) }, clock);
    // What the CLI and the action print: a change of status, or a heartbeat.
    const lines = events.filter((e, i) => e.heartbeat || e.status !== events[i - 1]?.status);
    const gaps = lines.slice(1).map((e, i) => e.elapsedMs - (lines[i] as PollEvent).elapsedMs);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    expect(lines.at(-1)?.status).toBe("COMPLETED");
    expect(lines.length).toBeGreaterThanOrEqual(600_000 / 30_000);
    // A heartbeat carries the status and job last seen; the looks by then are up to 45 s apart.
    const beat = events.find((e) => e.heartbeat && e.elapsedMs === 570_000);
    expect(beat?.status).toBe("IN_PROGRESS");
    expect(beat?.job?.status).toBe("IN_PROGRESS");
    expect(events.filter((e) => !e.heartbeat).length).toBeLessThan(events.length);
  });

  test("FAILED throws DataDeletionJobFailedError with the reason and the job", async () => {
    const error = await pollJob(
      ARN,
      scripted(["PENDING", "FAILED"]).describe,
      { minDelayMs: 10 },
      fakeClock(),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(DataDeletionJobFailedError);
    expect(error.failureReason).toBe("no access");
    expect(error.job.status).toBe("FAILED");
  });

  test("times out with the last status, never sleeping past the deadline", async () => {
    const clock = fakeClock();
    const error = await pollJob(
      ARN,
      scripted(["IN_PROGRESS"]).describe,
      { minDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000 },
      clock,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(WaiterTimeoutError);
    expect(error.lastStatus).toBe("IN_PROGRESS");
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  test("transient errors are waited out and reported; others end the wait", async () => {
    const seen: string[] = [];
    const job = await pollJob(
      ARN,
      scripted([new NetworkError("connection refused"), "PENDING", new NetworkError("reset"), "COMPLETED"])
        .describe,
      { minDelayMs: 10, onPoll: (e) => seen.push(e.error ? `error:${e.error.name}` : String(e.status)) },
      fakeClock(),
    );
    expect(job.status).toBe("COMPLETED");
    expect(seen).toEqual(["error:NetworkError", "PENDING", "error:NetworkError", "COMPLETED"]);
    const fatal = new ResourceNotFoundException("gone", { httpStatus: 400 });
    await expect(
      pollJob(ARN, scripted(["PENDING", fatal]).describe, { minDelayMs: 10 }, fakeClock()),
    ).rejects.toBe(fatal);
  });

  test("a longest delay under 5 s is also the first: maxDelayMs alone sets the pace", async () => {
    const clock = fakeClock();
    await pollJob(ARN, scripted(["PENDING", "PENDING", "COMPLETED"]).describe, { maxDelayMs: 2000 }, clock);
    expect(clock.sleeps).toEqual([1500, 1500]);
    const defaults = fakeClock();
    await pollJob(ARN, scripted(["PENDING", "PENDING", "COMPLETED"]).describe, {}, defaults);
    expect(defaults.sleeps).toEqual([3750, 3750]);
  });

  test("an AbortSignal stops the wait", async () => {
    const controller = new AbortController();
    const script = scripted(["PENDING"]);
    const clock = fakeClock();
    const pending = pollJob(
      ARN,
      script.describe,
      { minDelayMs: 10, signal: controller.signal, onPoll: () => script.calls === 3 && controller.abort() },
      clock,
    );
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(script.calls).toBe(3);
  });
});

describe("client.waitForDataDeletionJob against the verifying server", () => {
  test("polls Describe until COMPLETED", async () => {
    const server = startVerifyingServer();
    try {
      const statuses = ["PENDING", "IN_PROGRESS", "COMPLETED"];
      server.intercept = (req) => {
        if (!req.target?.endsWith("DescribeDataDeletionJob")) return undefined;
        const status = statuses.shift() ?? "COMPLETED";
        return Response.json({
          dataDeletionJob: {
            dataDeletionJobArn: ARN,
            status,
            numDeleted: status === "COMPLETED" ? 7 : undefined,
            creationDateTime: 1700000000.5,
          },
        });
      };
      const clock = fakeClock();
      const job = await clientFor(server, { clock }).waitForDataDeletionJob(ARN, { minDelayMs: 5000 });
      expect(job.numDeleted).toBe(7);
      expect(job.creationDateTime?.getTime()).toBe(1700000000500);
      expect(server.requests.length).toBe(3);
      expect(server.requests.every((r) => r.verified)).toBe(true);
      expect(clock.sleeps).toEqual([3750, 3750]);
    } finally {
      server.close();
    }
  });
});
