// Privacy-request intake at scale on Cloudflare: HTTP intake -> D1 ledger + Queue -> windows (one folder of
// batch files per dataset group) -> as few deletion jobs as the service allows -> a cron trigger that
// carries each window's erasure to a complete receipt. Requests also come in through DRP, OpenGDPR and
// Transcend, and are reported back in the protocol they came in. Web APIs only; the library runs unchanged
// in workerd.
import { CALLBACK_QUEUE_NAME, deliverCallbacks } from "./callbacks.ts";
import { configProblem, deadLetterQueue, retryDelay } from "./config.ts";
import { scheduled } from "./cron.ts";
import { bury } from "./dead-letters.ts";
import type { CallbackMessage, Env, ErasureMessage } from "./env.ts";
import { intake, overdue, status } from "./intake.ts";
import { adaptersOf, protocolRoute, receipt, statusPage } from "./routes.ts";
import type { ExportedHandler, MessageBatch } from "./runtime.ts";
import { consume } from "./windows.ts";

export type { CallbackMessage, Env, ErasureMessage } from "./env.ts";
export type { RequestStatus, WindowStatus } from "./ledger.ts";
// The class behind wrangler.toml's [[workflows]] class_name: the runtime finds it among the module's exports.
export { WindowWorkflow } from "./window-workflow.ts";

// Without strong secrets nothing is taken or recorded: a weak token can be guessed, and ids hashed under a
// weak key can be recovered by guessing; a protocol set wrongly would refuse or misreport every request. The
// log says which variable to set, never its value.
async function refusal(env: Env): Promise<string | undefined> {
  const { problems } = await adaptersOf(env);
  const protocols = problems.length ? `refusing to start: ${problems.join(", ")}` : undefined;
  const problem = [configProblem(env), protocols].filter(Boolean).join("; ") || undefined;
  if (problem) console.error(problem);
  return problem;
}

export default {
  async fetch(request, env) {
    if (await refusal(env)) {
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
    if (request.method === "GET" && url.pathname === "/") return statusPage(request, env);
    const receiptKey = /^\/receipts\/([^/]+)$/.exec(url.pathname);
    if (request.method === "GET" && receiptKey) return receipt(request, env, receiptKey[1] as string);
    const answer = await protocolRoute(request, env, (await adaptersOf(env)).adapters);
    return answer ?? Response.json({ error: "not found" }, { status: 404 });
  },
  async queue(batch, env) {
    if (await refusal(env)) {
      // Kept on the queue, not acknowledged: a message acknowledged here would be an erasure dropped.
      batch.retryAll({ delaySeconds: retryDelay(env) });
      return;
    }
    // Each queue carries one kind of message; its name says which.
    if (batch.queue === CALLBACK_QUEUE_NAME)
      await deliverCallbacks(batch as MessageBatch<CallbackMessage>, env);
    else if (batch.queue === deadLetterQueue(env)) await bury(batch as MessageBatch<ErasureMessage>, env);
    else await consume(batch as MessageBatch<ErasureMessage>, env);
  },
  async scheduled(_controller, env) {
    if (await refusal(env)) return;
    await scheduled(env);
  },
} satisfies ExportedHandler<Env, ErasureMessage | CallbackMessage>;
