// Each closed window's erasure as one Workflow instance: the job made, then a look at AWS between ever longer
// sleeps (the job may take a day, a training hours), then the receipt, the settlement and the call back.
// Every step has its own retries; the ledger (D1) stays the record, since a Workflow's state expires.
import {
  WorkflowEntrypoint,
  type WorkflowEvent,
  type WorkflowStep,
  type WorkflowStepConfig,
} from "cloudflare:workers";
import { configProblem, lookPace } from "./config.ts";
import type { Env, WindowParams } from "./env.ts";
import { callBack, type Look, lookAt, settleWindow, storeReceipt, submitWindow } from "./window-erasure.ts";

// A passing failure (D1, S3 or Personalize unavailable) is tried again within the step; once these are
// spent the instance errors and the cron's next tick runs it again from its first step.
const STEP: WorkflowStepConfig = {
  retries: { limit: 5, delay: "30 seconds", backoff: "exponential" },
  timeout: "30 minutes",
};
// The look that scans or scrubs the data outside Personalize reads every object version there.
const LOOK: WorkflowStepConfig = { ...STEP, timeout: "2 hours" };
// An instance's steps are bounded (1,024 on Cloudflare): past this many looks the instance errors and the
// cron starts it afresh, which re-reads AWS and carries on.
export const MAX_LOOKS = 400;

/** The Workflow behind `[[workflows]]` `WINDOW_WORKFLOW`: one instance per window, its id the window's job name. */
export class WindowWorkflow extends WorkflowEntrypoint<Env, WindowParams> {
  override async run(event: Readonly<WorkflowEvent<WindowParams>>, step: WorkflowStep): Promise<string> {
    const env = this.env;
    const problem = configProblem(env);
    if (problem) throw new Error(problem);
    const { windowId } = event.payload;
    const pace = lookPace(env);
    for (let n = 1; ; n++) {
      const submitted = await step.do(`submit ${n}`, STEP, () => submitWindow(env, windowId));
      if (submitted === "made") break;
      if (submitted === "ended") return "ended";
      // No room under the 5 PENDING jobs, or an import or training runs: not now, later.
      await step.sleep(`room ${n}`, pace(n));
    }
    let look: Look | undefined;
    for (let n = 1; n <= MAX_LOOKS; n++) {
      look = await step.do(`look ${n}`, LOOK, () => lookAt(env, windowId));
      if (look.ended) break;
      await step.sleep(`pause ${n}`, pace(n));
    }
    if (!look?.ended) throw new Error(`window ${windowId}: still ${look?.stage} after ${MAX_LOOKS} looks`);
    const { settle, stage } = look;
    if (settle) {
      const receiptKey = await step.do("receipt", STEP, () => storeReceipt(env, windowId, settle.receipt));
      await step.do("settle", STEP, () =>
        settleWindow(env, windowId, {
          stage,
          receiptKey,
          outcome: settle.outcome,
          failure: settle.failure,
        }),
      );
    }
    await step.do("call back", STEP, () => callBack(env, windowId));
    return stage;
  }
}
