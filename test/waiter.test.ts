import { describe, expect, test } from "bun:test";
import {
  AbortError,
  DataDeletionJobFailedError,
  NetworkError,
  ResourceNotFoundException,
  WaiterTimeoutError,
} from "../src/index.ts";
import { pollJob } from "../src/waiter.ts";
import { clientFor } from "./support/client.ts";
import { fakeClock } from "./support/fake-clock.ts";
import { startVerifyingServer } from "./support/verifying-server.ts";

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
  test("backs off from minDelay to maxDelay and resolves with the COMPLETED job", async () => {
    const clock = fakeClock();
    const script = scripted([
      "PENDING",
      "PENDING",
      "IN_PROGRESS",
      "IN_PROGRESS",
      "IN_PROGRESS",
      "IN_PROGRESS",
      "COMPLETED",
    ]);
    const polls: string[] = [];
    const job = await pollJob(
      ARN,
      script.describe,
      { minDelayMs: 1000, maxDelayMs: 8000, onPoll: (e) => polls.push(`${e.status}@${e.elapsedMs}`) },
      clock,
    );
    expect(job.status).toBe("COMPLETED");
    // random() = 0.5 gives 3/4 of each nominal delay: 1000, 2000, 4000, 8000, 8000, 8000.
    expect(clock.sleeps).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    expect(polls[0]).toBe("PENDING@0");
    expect(polls.at(-1)).toBe("COMPLETED@23250");
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
    expect(defaults.sleeps).toEqual([3750, 7500]);
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
      expect(clock.sleeps).toEqual([3750, 7500]);
    } finally {
      server.close();
    }
  });
});
