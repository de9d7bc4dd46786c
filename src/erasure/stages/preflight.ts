// Before the deletion job: the guide asks that nothing import into or train on the dataset group while it
// runs. `ifBusy` decides what happens when something does.
import { poll } from "../../aws/poll.ts";
import type { ErasureApi } from "../api.ts";
import { DatasetGroupBusyError } from "../errors.ts";
import { busyNow, type Survey, surveyDatasetGroup } from "../survey.ts";
import type { Activity, ErasureReceipt, IfBusy } from "../types.ts";
import type { StageWait } from "./retrain.ts";

/** The preflight's progress while it waits for the dataset group to become idle. */
export interface PreflightEvent {
  phase: "preflight";
  busy: Activity[];
  elapsedMs: number;
  /** As in `PollEvent`: true at least every 30 s of the wait, to report even if nothing changed. */
  heartbeat?: boolean;
}

/**
 * Looks for imports, trainings and batch jobs in progress (and returns the last survey, for the receipt). Idle: go on. Busy: `fail` throws
 * {@link DatasetGroupBusyError} naming each one, `ignore` goes on and records them, `wait` polls until the
 * group is idle (the error again once the wait's deadline passes).
 */
export async function preflight(
  api: ErasureApi,
  datasetGroupArn: string,
  ifBusy: IfBusy,
  wait: StageWait,
  onProgress?: (event: PreflightEvent) => void,
): Promise<{ record: NonNullable<ErasureReceipt["preflight"]>; survey: Survey }> {
  const at = new Date(wait.clock.now()).toISOString();
  let survey = await surveyDatasetGroup(api, datasetGroupArn, wait.signal);
  let busy = busyNow(survey);
  const first = busy;
  if (busy.length === 0) return { record: { decision: "idle", busy, at, waitedMs: 0 }, survey };
  if (ifBusy === "fail") throw new DatasetGroupBusyError(datasetGroupArn, busy, 0);
  if (ifBusy === "ignore") return { record: { decision: "ignored", busy, at, waitedMs: 0 }, survey };
  const started = wait.clock.now();
  onProgress?.({ phase: "preflight", busy, elapsedMs: 0 });
  await poll(
    async (signal) => {
      survey = await surveyDatasetGroup(api, datasetGroupArn, signal);
      busy = busyNow(survey);
      return busy.length === 0 || undefined;
    },
    {
      ...wait.pace,
      timeoutMs: wait.timeoutMs,
      signal: wait.signal,
      onLook: (elapsedMs, error, heartbeat) =>
        error || onProgress?.({ phase: "preflight", busy, elapsedMs, heartbeat }),
      timedOut: (elapsedMs) => new DatasetGroupBusyError(datasetGroupArn, busy, elapsedMs),
    },
    wait.clock,
  );
  return { record: { decision: "waited", busy: first, at, waitedMs: wait.clock.now() - started }, survey };
}
