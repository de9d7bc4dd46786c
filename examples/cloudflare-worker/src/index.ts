// Privacy-request intake at scale on Cloudflare: HTTP intake -> D1 ledger + Queue -> windows (one folder of
// batch files per dataset group) -> as few deletion jobs as the service allows -> a cron trigger that
// carries each window's erasure to a complete receipt. Web APIs only; the library runs unchanged in workerd.
import type { Env, ErasureMessage } from "./config.ts";
import { scheduled } from "./cron.ts";
import { intake, overdue, status } from "./intake.ts";
import type { MessageBatch } from "./runtime.ts";
import { consume } from "./windows.ts";

export type { Env, ErasureMessage } from "./config.ts";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/erasure-requests") {
      if (request.method === "POST") return intake(request, env);
      if (request.method === "GET") return overdue(request, env);
    }
    const match = /^\/erasure-requests\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (request.method === "GET" && match) return status(match[1] as string, env);
    return Response.json({ error: "not found" }, { status: 404 });
  },
  async queue(batch: MessageBatch<ErasureMessage>, env: Env): Promise<void> {
    await consume(batch, env);
  },
  async scheduled(_event: unknown, env: Env): Promise<void> {
    await scheduled(env);
  },
};
