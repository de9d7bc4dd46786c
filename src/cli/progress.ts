// How waits and the flow's stages show on stderr: the core's reporter says what, this says where. A change
// is a line (rewritten in place on a TTY); a heartbeat is a "still …" line (on a TTY, the same line rewritten).

import { type EraseUsersEvent, progressReporter, type Report } from "../erasure/index.ts";
import type { PollEvent } from "../index.ts";
import type { Output } from "./output.ts";

function show(output: Output, report: Report): void {
  if (report.kind === "stage") return;
  if (report.kind === "progress" || (report.kind === "still" && output.tty))
    output.progress(report.text, report.key);
  else output.info(report.text);
}

/** Reports each stage of `eraseUsers` (and of `deleteUsers`, whose stages it shares). */
export function flowReporter(output: Output): (event: EraseUsersEvent) => void {
  const reporter = progressReporter();
  return (event) => {
    for (const report of reporter(event)) show(output, report);
  };
}

/** Reports each poll of one deletion job, named `label`: its status and how long the wait has lasted. */
export function waitReporter(output: Output, label: string): (event: PollEvent) => void {
  const report = flowReporter(output);
  return (event) => report({ phase: "wait", jobName: label, ...event });
}
