// Privacy-request intake at scale on Cloudflare: HTTP intake -> D1 ledger + Queue -> windows (one folder of
// batch files per dataset group) -> as few deletion jobs as the service allows -> a cron trigger that
// carries each window's erasure to a complete receipt. Web APIs only; the library runs unchanged in workerd.
import { configProblem, deadLetterQueue, retryDelay } from "./config.ts";
import { scheduled } from "./cron.ts";
import { bury } from "./dead-letters.ts";
import type { Env, ErasureMessage } from "./env.ts";
import { intake, overdue, status } from "./intake.ts";
import type { ExportedHandler } from "./runtime.ts";
import { consume } from "./windows.ts";

export type { Env, ErasureMessage } from "./env.ts";
export type { RequestStatus, WindowStatus } from "./ledger.ts";
// The class behind wrangler.toml's [[workflows]] class_name: the runtime finds it among the module's exports.
export { WindowWorkflow } from "./window-workflow.ts";

// Without strong secrets nothing is taken or recorded: a weak token can be guessed, and ids hashed under a
// weak key can be recovered by guessing; the log says which variable to set, never its value.
function refusal(env: Env): string | undefined {
  const problem = configProblem(env);
  if (problem) console.error(problem);
  return problem;
}

export default {
  async fetch(request, env) {
    if (refusal(env)) {
      return Response.json(
        { error: "the erasure intake is not configured; see the Worker's log" },
        { status: 500 },
      );
    }
    const url = new URL(request.url);
    if (url.pathname === "/erasure-requests") {
      if (request.method === "POST") return intake(request, env);
      if (request.method === "GET") return overdue(request, env);
    }
    const match = /^\/erasure-requests\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (request.method === "GET" && match) return status(match[1] as string, env);
    return Response.json({ error: "not found" }, { status: 404 });
  },
  async queue(batch, env) {
    if (refusal(env)) {
      // Kept on the queue, not acknowledged: a message acknowledged here would be an erasure dropped.
      batch.retryAll({ delaySeconds: retryDelay(env) });
      return;
    }
    if (batch.queue === deadLetterQueue(env)) await bury(batch, env);
    else await consume(batch, env);
  },
  async scheduled(_controller, env) {
    if (refusal(env)) return;
    await scheduled(env);
  },
} satisfies ExportedHandler<Env, ErasureMessage>;
