// The cron trigger, per dataset group: see that each window handed on has a live workflow (start one that
// is missing, run a stopped one again), then close windows while the service has room (5 PENDING per
// dataset group) and start their workflows; then warn about requests whose deadline is near. The windows'
// erasures themselves run in their workflows (src/window-workflow.ts), never here.
import { countPendingJobs, DEFAULT_MAX_PENDING_JOBS } from "personalize-data-deletion";
import { requeueStalledCallbacks } from "./callbacks.ts";
import { client, datasetGroups, windowIdleMs, windowMaxMs } from "./config.ts";
import type { Env } from "./env.ts";
import { atRisk } from "./intake.ts";
import { type ErasureWindow, Ledger } from "./ledger.ts";
import { RequestLedger } from "./request-ledger.ts";

// The instance id is the window's job name: unique per window, and in the characters an instance id
// allows (a window id holds a `/`).
const instanceId = (win: ErasureWindow) => win.job_name;

const notFound = (error: unknown) => /not[_ ]?found/i.test(String((error as Error)?.message ?? error));
const alreadyExists = (error: unknown) =>
  /already[_ ]?exists/i.test(String((error as Error)?.message ?? error));

/**
 * Starts the window's workflow unless it runs: a missing instance (never started, or expired) is created,
 * an errored, terminated or complete one while the ledger has the window unsettled is run again from its
 * first step. Either way the run re-reads the ledger and AWS, and the library adopts what exists.
 */
async function ensureWorkflow(env: Env, ledger: Ledger, win: ErasureWindow, fresh: boolean): Promise<void> {
  const id = instanceId(win);
  let instance: Awaited<ReturnType<Env["WINDOW_WORKFLOW"]["get"]>>;
  try {
    instance = await env.WINDOW_WORKFLOW.get(id);
  } catch (error) {
    if (!notFound(error)) throw error;
    try {
      await env.WINDOW_WORKFLOW.create({ id, params: { windowId: win.id } });
    } catch (error) {
      // Started meanwhile by another tick: that one runs it.
      if (!alreadyExists(error)) throw error;
    }
    // A window already in flight without one lost it (expired, or the tick that closed it stopped short).
    await ledger.recordWorkflow(win.id, Date.now(), !fresh);
    return;
  }
  const { status, error } = await instance.status();
  if (status !== "errored" && status !== "terminated" && status !== "complete") return;
  // Settled while this tick looked (its last step, then `complete`): nothing to run again.
  const current = await ledger.windowById(win.id);
  if (current?.status !== "closing" && current?.status !== "submitted") return;
  console.warn(`window ${win.id}: its workflow is ${status}${error ? ` (${error.message})` : ""}; run again`);
  await instance.restart();
  await ledger.recordWorkflow(win.id, Date.now(), true);
}

async function tick(env: Env, ledger: Ledger, datasetGroup: string, datasetGroupArn: string): Promise<void> {
  const inFlight = await ledger.windowsInFlight(datasetGroup);
  for (const win of inFlight) await ensureWorkflow(env, ledger, win, false);
  // While a window waits to train, no new job starts: a training during a deletion voids it, and a deletion
  // job that keeps the group busy would hold the training off for ever.
  if (env.RETRAIN === "true" && inFlight.some((w) => /retrain|campaign|hold/.test(w.stage ?? ""))) return;
  // A window goes when full, once intake has paused, or once it has been open long enough: a burst becomes
  // one job, and steady intake one job per WINDOW_MAX_SECONDS (room permitting), not one per tick.
  const ready = (
    await ledger.windowsToClose(datasetGroup, {
      now: Date.now(),
      idleMs: windowIdleMs(env),
      maxMs: windowMaxMs(env),
    })
  ).filter((w) => w.status !== "closing");
  if (ready.length === 0) return;
  // The library's count and limit, with the windows closed whose job their workflow has yet to make: the
  // windows closed this tick fill the room there is, and no more.
  let pending =
    (await countPendingJobs(client(env), datasetGroupArn)) +
    inFlight.filter((w) => w.status === "closing").length;
  for (const win of ready) {
    if (pending >= DEFAULT_MAX_PENDING_JOBS) break;
    await ledger.closeWindow(win.id, Date.now());
    await ensureWorkflow(env, ledger, { ...win, status: "closing" }, true);
    pending++;
  }
}

/** The cron trigger. */
export async function scheduled(env: Env): Promise<void> {
  const ledger = new Ledger(env.LEDGER);
  for (const [datasetGroup, arn] of datasetGroups(env)) await tick(env, ledger, datasetGroup, arn);
  // Requests never queued (the Worker stopped between the ledger and the queue) cannot be erased: say so.
  await ledger.markUnqueuedLost(Date.now() - 60 * 60 * 1000, "never queued: ask for the erasure again");
  // The protocols' expired records and replay guards: already ignored by every read, dropped here.
  await new RequestLedger(env.LEDGER).storePrune(Date.now());
  await requeueStalledCallbacks(env);
  const risky = await atRisk(env, 7, 100);
  for (const r of risky) {
    console.warn(`erasure request ${r.requestId} (${r.datasetGroup}) is ${r.status}, deadline ${r.deadline}`);
  }
}
