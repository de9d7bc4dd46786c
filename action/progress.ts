// What the action logs while the erasure waits (for room, for an idle dataset group, for the job, for other
// deletions, for a training, for a campaign): a line when what it waits for changes, and on each heartbeat
// of the library (at least every 30 s) a line saying the wait goes on, so a run's log is never silent longer.
import * as core from "@actions/core";
import type { EraseUsersEvent } from "../src/erasure/index.ts";

type Waits = "room" | "wait" | "preflight" | "hold" | "retrain" | "campaign";

/** An event of one of the erasure's waits. */
export type WaitEvent = Extract<EraseUsersEvent, { phase: Waits }>;

const WAITS: readonly string[] = [
  "room",
  "wait",
  "preflight",
  "hold",
  "retrain",
  "campaign",
] satisfies Waits[];

/** Whether an event is one of a wait's. */
export function isWaitEvent(event: EraseUsersEvent): event is WaitEvent {
  return WAITS.includes(event.phase);
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

// What is awaited (the line's subject), its state (a change of it is always logged), and what a heartbeat adds.
function describe(event: WaitEvent): { subject: string; state: string; note: string } | undefined {
  switch (event.phase) {
    case "room":
      if (event.pending < event.limit) return undefined;
      return {
        subject: "Waiting for room",
        state: `${event.pending} jobs PENDING (limit ${event.limit})`,
        note: "a PENDING job can take minutes to hours to start",
      };
    case "wait":
      return { subject: event.jobName, state: event.status ?? "unknown", note: "AWS says up to a day" };
    case "preflight":
      return {
        subject: "Dataset group",
        state: event.busy.length
          ? `in use: ${event.busy.map((a) => `${a.kind} ${a.arn} (${a.status})`).join(", ")}`
          : "idle",
        note: "nothing is uploaded until it is idle",
      };
    case "hold":
      return {
        subject:
          "Waiting for other deletion jobs to end before training (a training now would void their deletion)",
        state: event.waitingFor.join(", "),
        note: "AWS says a deletion job can take up to a day",
      };
    case "retrain":
      return {
        subject: event.solutionVersionArn,
        state: event.status ?? "unknown",
        note: "a training can take hours",
      };
    case "campaign":
      return {
        subject: event.campaignArn,
        state: event.status ?? "unknown",
        note: "it serves the version it had until the update is ACTIVE",
      };
  }
}

/**
 * Logs the erasure's waits: a line when the state of what is awaited changes, a line for each failed look,
 * and a "still …" line on each heartbeat.
 */
export function waitLogger(): (event: WaitEvent) => void {
  const last = new Map<string, string>();
  return (event) => {
    if (event.phase === "wait" && event.error) {
      core.info(
        `${event.jobName}: poll failed after ${minutes(event.elapsedMs)} (${event.error.name}); retrying`,
      );
      return;
    }
    const said = describe(event);
    if (!said) return;
    const { subject, state, note } = said;
    const key = `${event.phase}:${subject}`;
    if (last.get(key) !== state) core.info(`${subject}: ${state} after ${minutes(event.elapsedMs)}`);
    else if (event.heartbeat)
      core.info(`${subject}: still ${state} after ${minutes(event.elapsedMs)}; ${note}`);
    last.set(key, state);
  };
}
