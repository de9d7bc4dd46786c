// How long waits and the flow's stages show on stderr: a line per change, or one line rewritten on a TTY.
import type { EraseUsersEvent } from "../erasure/index.ts";
import { duration, type Output, plural } from "./output.ts";

/** A wait's event: the library's `PollEvent` and the erasure's wait events share these. */
type WaitEvent = { elapsedMs: number; heartbeat?: boolean | undefined };

// What a wait says: a line when `key` changes (rewritten in place on a TTY) and, on each heartbeat, that it
// goes on ("still … after 2m10s; …"), so that a log is never silent for longer than 30 s.
function speak(output: Output, event: WaitEvent, line: string, key: string, still: [string, string]): void {
  if (event.heartbeat && !output.tty)
    output.info(`${still[0]} after ${duration(event.elapsedMs)}; ${still[1]}`);
  else output.progress(line, key);
}

/** Reports each poll of a deletion job: its status and how long the wait has lasted. */
export function waitReporter(output: Output, label: string) {
  return (event: WaitEvent & { status?: string | undefined; error?: Error | undefined }) => {
    if (event.error) {
      output.info(`${label}: poll failed (${event.error.name}), will retry: ${event.error.message}`);
      return;
    }
    const status = event.status ?? "unknown";
    speak(output, event, `${label}: ${status} after ${duration(event.elapsedMs)}`, status, [
      `${label}: still ${status}`,
      "AWS says up to a day",
    ]);
  };
}

/** Reports each stage of `eraseUsers` (and of `deleteUsers`, whose stages it shares). */
export function flowReporter(output: Output): (event: EraseUsersEvent) => void {
  const waits = new Map<string, ReturnType<typeof waitReporter>>();
  return (event) => {
    if (event.phase === "prepare") {
      output.info(
        `prepared ${plural(event.userCount, "user id")} (${plural(event.duplicateCount, "duplicate")} removed, ${plural(event.bytes, "byte")}, ${plural(event.files, "file")})`,
      );
    } else if (event.phase === "upload") {
      output.info(
        `uploaded ${event.dataLocation}${event.created ? "" : " (identical object already there)"}`,
      );
    } else if (event.phase === "create") {
      output.info(`${event.adopted ? "adopted existing" : "created"} job ${event.dataDeletionJobArn}`);
    } else if (event.phase === "room") {
      const jobs = `${plural(event.pending, "job")} PENDING (limit ${event.limit})`;
      if (event.pending >= event.limit)
        speak(output, event, `${jobs}: waiting for room, ${duration(event.elapsedMs)} so far`, jobs, [
          `still ${jobs}`,
          "a PENDING job can take minutes to hours to start",
        ]);
    } else if (event.phase === "wait") {
      const report = waits.get(event.jobName) ?? waitReporter(output, event.jobName);
      waits.set(event.jobName, report);
      report(event);
    } else if (event.phase === "cleanup") {
      const versions =
        event.versionsDeleted === undefined ? "" : `, ${plural(event.versionsDeleted, "version")}`;
      output.info(
        event.versionsDeleted === 0
          ? `nothing is left of the uploaded ${event.dataLocation}`
          : `deleted the uploaded ${event.dataLocation}${versions} (the list of ids is personal data)`,
      );
    } else if (event.phase === "preflight") {
      const busy = event.busy.map((a) => `${a.kind} ${a.arn.replace(/^.*:/, "")} ${a.status}`).join(", ");
      speak(
        output,
        event,
        event.busy.length
          ? `preflight: dataset group in use (${busy}), waiting ${duration(event.elapsedMs)} so far`
          : `preflight: dataset group idle after ${duration(event.elapsedMs)}`,
        busy,
        [`preflight: still in use (${busy})`, "nothing is uploaded until it is idle"],
      );
    } else if (event.phase === "interference") {
      output.info(
        `${event.activity.map((a) => `${a.kind} ${a.arn}`).join(", ")} ran during ${event.jobName}: AWS does not guarantee the deletion from models, so ${event.repeatJobName} repeats it`,
      );
    } else if (event.phase === "hold") {
      const others = plural(event.waitingFor.length, "other deletion job");
      speak(
        output,
        event,
        `retrain: waiting for ${others} of the dataset group to end (a training now would void their deletion), ${duration(event.elapsedMs)} so far`,
        `hold${event.waitingFor.length}`,
        [`retrain: still waiting for ${others}`, "AWS says a deletion job can take up to a day"],
      );
    } else if (event.phase === "retrain") {
      const version = event.solutionVersionArn.replace(/^.*:solution\//, "");
      const status = event.status ?? "unknown";
      speak(
        output,
        event,
        `retrain: ${event.adopted ? "" : "training "}${version} ${status} after ${duration(event.elapsedMs)}`,
        `${event.solutionVersionArn}:${event.status}`,
        [`retrain: ${version} still ${status}`, "a training can take hours"],
      );
    } else if (event.phase === "campaign") {
      const campaign = `campaign ${event.campaignArn.replace(/^.*:campaign\//, "")}`;
      const status = event.status ?? "unknown";
      speak(
        output,
        event,
        `${campaign}: moving to ${event.solutionVersionArn.replace(/^.*:solution\//, "")}, ${status} after ${duration(event.elapsedMs)}`,
        `${event.campaignArn}:${event.status}`,
        [`${campaign}: still ${status}`, "it serves the version it had until the update is ACTIVE"],
      );
    }
  };
}
