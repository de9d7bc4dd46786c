// The action's log of a run: the core's reporter says what (a line when what a wait awaits changes, a
// "still …" line on each heartbeat, so a run's log is never silent longer than 30 s); this says where: each
// stage in its own log group, opened before the requests it covers so their debug lines fall inside it.
import * as core from "@actions/core";
import {
  type EraseUsersEvent,
  progressReporter,
  type ReportStage,
  STAGE_TITLES,
} from "../src/erasure/index.ts";

/** The run's log: `report` each event, `enter` a stage the run opens itself, `end` the open group. */
export interface ActionLog {
  report(event: EraseUsersEvent): void;
  enter(stage: ReportStage): void;
  end(): void;
}

/** A log for one run, with no group open yet. */
export function actionLog(): ActionLog {
  const reporter = progressReporter();
  let open: ReportStage | undefined;
  const log: ActionLog = {
    enter(stage) {
      if (open === stage) return;
      if (open) core.endGroup();
      core.startGroup(STAGE_TITLES[stage]);
      open = stage;
    },
    end() {
      if (open) core.endGroup();
      open = undefined;
    },
    report(event) {
      for (const said of reporter(event)) {
        if (said.kind === "stage") log.enter(said.stage);
        else if (said.kind === "warning") core.warning(said.text, { title: said.title });
        else core.info(said.text);
      }
    },
  };
  return log;
}
