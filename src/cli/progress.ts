// How long waits and the flow's stages show on stderr: a line per change, or one line rewritten on a TTY.
import type { EraseUsersEvent } from "../erasure/index.ts";
import { duration, type Output, plural } from "./output.ts";

/** Reports each poll of a job: its status and how long the wait has lasted. */
export function waitReporter(output: Output, label: string) {
  return (event: { status?: string | undefined; elapsedMs: number; error?: Error }) => {
    if (event.error) {
      output.info(`${label}: poll failed (${event.error.name}), will retry: ${event.error.message}`);
      return;
    }
    const status = event.status ?? "unknown";
    output.progress(`${label}: ${status} after ${duration(event.elapsedMs)}`, status);
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
      if (event.pending >= event.limit)
        output.info(
          `${plural(event.pending, "job")} PENDING (limit ${event.limit}): waiting for room, ${duration(event.elapsedMs)} so far`,
        );
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
      output.progress(
        event.busy.length
          ? `preflight: dataset group in use (${busy}), waiting ${duration(event.elapsedMs)} so far`
          : `preflight: dataset group idle after ${duration(event.elapsedMs)}`,
        busy,
      );
    } else if (event.phase === "interference") {
      output.info(
        `${event.activity.map((a) => `${a.kind} ${a.arn}`).join(", ")} ran during ${event.jobName}: AWS does not guarantee the deletion from models, so ${event.repeatJobName} repeats it`,
      );
    } else if (event.phase === "hold") {
      output.progress(
        `retrain: waiting for ${plural(event.waitingFor.length, "other deletion job")} of the dataset group to end (a training now would void their deletion), ${duration(event.elapsedMs)} so far`,
        `hold${event.waitingFor.length}`,
      );
    } else if (event.phase === "retrain") {
      const key = `${event.solutionVersionArn}:${event.status}`;
      output.progress(
        `retrain: ${event.adopted ? "" : "training "}${event.solutionVersionArn.replace(/^.*:solution\//, "")} ${event.status ?? "unknown"} after ${duration(event.elapsedMs)}`,
        key,
      );
    } else if (event.phase === "campaign") {
      output.progress(
        `campaign ${event.campaignArn.replace(/^.*:campaign\//, "")}: moving to ${event.solutionVersionArn.replace(/^.*:solution\//, "")}, ${event.status ?? "unknown"} after ${duration(event.elapsedMs)}`,
        `${event.campaignArn}:${event.status}`,
      );
    }
  };
}
