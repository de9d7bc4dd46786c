// The erasure's progress (and deleteUsers', whose events it shares) in words, for every front-end: the CLI
// and the action only choose where each line goes. Pure: no I/O, only the memory a log needs, the last state
// of each wait, so that a wait says a line when what it awaits changes and, on each heartbeat of the library
// (at least every 30 s), that it goes on ("still … after 2m10s; …"), and is never silent for longer.

import type { EraseUsersEvent } from "./stages/finish.ts";
import type { ErasureReceipt } from "./types.ts";

/** The stages a run's log is grouped by: those the erasure announces, and the two a front-end opens with. */
export type ReportStage = "prepare" | "create" | Extract<EraseUsersEvent, { phase: "stage" }>["stage"];

/** Each stage's title, for a log group. */
export const STAGE_TITLES: Readonly<Record<ReportStage, string>> = {
  prepare: "Prepare the user ids",
  preflight: "Check that nothing imports or trains (preflight)",
  upload: "Upload and create the deletion job",
  create: "Create the deletion job",
  wait: "Wait",
  outside: "Outside Personalize: the S3 data around it",
  cleanup: "Delete the uploaded list (every version)",
  retrain: "Retrain and move campaigns",
  receipt: "Erasure receipt",
};

/**
 * What to say about one event, and how. `info`: a line of what was done. `warning`: a line to flag, with a
 * title. `progress`: a wait's state changed (`key` names the wait and its state: a display that rewrites one
 * line in place may rewrite it while the key holds). `still`: a heartbeat of a wait whose state did not
 * change. `stage`: a stage begins and its requests follow (a log group opens here).
 */
export type Report =
  | { kind: "info"; text: string }
  | { kind: "warning"; text: string; title: string }
  | { kind: "progress" | "still"; text: string; key: string }
  | { kind: "stage"; stage: ReportStage; title: string };

/** `12s`, `4m05s`, `2h03m`. */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** `1 file`, `2 files`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

type WaitEvent = Extract<EraseUsersEvent, { elapsedMs: number }>;

// What a wait awaits (the line's subject), its state (a change of it is always said), and what a heartbeat
// adds about how long such a wait may last. Nothing to say: a look at the room that found some.
function describe(event: WaitEvent): { subject: string; state: string; note: string } | undefined {
  switch (event.phase) {
    case "room":
      if (event.pending < event.limit) return undefined;
      return {
        subject: "Waiting for room",
        state: `${plural(event.pending, "job")} PENDING (limit ${event.limit})`,
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
        subject: "Retrain waits for other deletion jobs to end (a training now would void their deletion)",
        state: event.waitingFor.join(", "),
        note: "AWS says a deletion job can take up to a day",
      };
    case "retrain":
      return {
        subject: `Training ${event.solutionVersionArn}`,
        state: event.status ?? "unknown",
        note: "a training can take hours",
      };
    case "campaign":
      return {
        subject: `Campaign ${event.campaignArn} moving to ${event.solutionVersionArn}`,
        state: event.status ?? "unknown",
        note: "it serves the version it had until the update is ACTIVE",
      };
  }
}

// The lines of an event that is not a wait's.
function tell(event: Exclude<EraseUsersEvent, WaitEvent>): Report[] {
  switch (event.phase) {
    case "prepare":
      return [
        {
          kind: "info",
          text: `${plural(event.userCount, "unique user id")}, ${plural(event.duplicateCount, "duplicate")} removed, ${plural(event.bytes, "byte")} in ${plural(event.files, "file")}`,
        },
        { kind: "stage", stage: "upload", title: STAGE_TITLES.upload },
      ];
    case "upload":
      return [
        {
          kind: "info",
          text: `Uploaded ${event.dataLocation} (${plural(event.bytes, "byte")})${event.created ? "" : ": an identical object was already there"}`,
        },
      ];
    case "create":
      return [
        {
          kind: "info",
          text: `${event.adopted ? "Adopted the existing job (a re-run)" : "Created"} ${event.jobName}: ${event.dataDeletionJobArn}`,
        },
      ];
    case "cleanup": {
      const n = event.versionsDeleted;
      const text =
        n === 0
          ? `Nothing was left of the uploaded ${event.dataLocation}`
          : `Deleted the uploaded ${event.dataLocation}${n === undefined ? "" : `, ${plural(n, "version")}`} (the list of ids is personal data)`;
      return [{ kind: "info", text }];
    }
    case "interference":
      return [
        {
          kind: "warning",
          title: "Import or training during the deletion",
          text: `${event.activity.map((a) => `${a.kind} ${a.arn}`).join(", ")} ran during ${event.jobName}: AWS does not guarantee the deletion from models, so ${event.repeatJobName} repeats it`,
        },
      ];
    case "outside": {
      const what =
        event.state === "holds-users"
          ? `holds ${plural(event.matching, "row")} of erased users`
          : event.state === "scrubbed"
            ? `scrubbed: ${plural(event.matching, "row")} of erased users removed`
            : event.state;
      const text = `${event.location} (${event.kind}, ${plural(event.objects, "object version")}): ${what}`;
      if (event.state === "clean" || event.state === "scrubbed") return [{ kind: "info", text }];
      return [{ kind: "warning", title: "Erased users outside Personalize", text }];
    }
    case "import-source":
      return [
        {
          kind: "warning",
          title: "The import's source holds these users",
          text: `${event.location}, the source of the last FULL import${event.jobArn ? ` (${event.jobArn})` : ""}, holds ${plural(event.matching, "row")} of these users: a re-import from it brings them back (--scrub removes them; guard-import checks a source before an import)`,
        },
      ];
    case "stage":
      return [{ kind: "stage", stage: event.stage, title: STAGE_TITLES[event.stage] }];
  }
}

function isWait(event: EraseUsersEvent): event is WaitEvent {
  return "elapsedMs" in event;
}

/**
 * A reporter of one run: give it each event of `eraseUsers`, `continueErasure` or `deleteUsers` in turn; it
 * returns what to say (often nothing: a wait's look that changed nothing).
 */
export function progressReporter(): (event: EraseUsersEvent) => Report[] {
  const last = new Map<string, string>();
  return (event) => {
    if (!isWait(event)) return tell(event);
    const after = duration(event.elapsedMs);
    if (event.phase === "wait" && event.error) {
      return [
        {
          kind: "info",
          text: `${event.jobName}: poll failed after ${after} (${event.error.name}: ${event.error.message}); retrying`,
        },
      ];
    }
    const said = describe(event);
    if (!said) return [];
    const { subject, state, note } = said;
    const wait = `${event.phase}:${subject}`;
    const before = last.get(wait);
    last.set(wait, state);
    const key = `${wait}:${state}`;
    if (before !== state) return [{ kind: "progress", text: `${subject}: ${state} after ${after}`, key }];
    if (event.heartbeat) {
      return [{ kind: "still", text: `${subject}: still ${state} after ${after}; ${note}`, key }];
    }
    return [];
  };
}

/**
 * The receipt's part outside Personalize in one line, for every front-end: how many locations, in which
 * states, and whether the erasure is complete everywhere (what is left is in `pending`).
 */
export function outsideLine(receipt: ErasureReceipt): string {
  const { locations, checked } = receipt.outsidePersonalize;
  if (locations.length === 0) return "Outside Personalize: no S3 location found in AWS's records or given";
  const states = new Map<string, number>();
  for (const l of locations) states.set(l.state, (states.get(l.state) ?? 0) + 1);
  const counts = [...states].map(([state, n]) => `${n} ${state}`).join(", ");
  const verdict = receipt.completeEverywhere
    ? "complete everywhere"
    : checked === "listed"
      ? "not scanned: they may hold the users (--scan counts, --scrub removes)"
      : "not complete everywhere";
  return `Outside Personalize: ${plural(locations.length, "location")}, ${counts}: ${verdict}`;
}
