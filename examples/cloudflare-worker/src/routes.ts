// The Worker's HTTP routes beside its JSON API: the three privacy protocols (each on only when its vars are
// set, and refused at start, naming the var, when set wrongly), the operator's status page and its receipts.
import type { Env } from "./env.ts";
import { authorized } from "./intake.ts";
import { type DrpConfig, handleDrp, parseDrpConfig } from "./protocols/drp.ts";
import { handleOpenGdpr, type OpenGdprConfig } from "./protocols/opengdpr.ts";
import { openGdprConfigFrom, transcendConfigFrom } from "./protocols/protocol-config.ts";
import { handleTranscend, type TranscendConfig } from "./protocols/transcend.ts";
import { renderStatusPage, STATUS_PAGE_CSP } from "./status-page.ts";
import { readStatusView } from "./status-view.ts";
import { D1ProtocolStore, WorkerIntake } from "./worker-intake.ts";

/** The adapters a deployment turned on (DRP_BUSINESS_ID, OPENGDPR_DOMAIN, TRANSCEND_AUDIENCE), configured. */
export interface Adapters {
  drp?: DrpConfig;
  opengdpr?: OpenGdprConfig;
  transcend?: TranscendConfig;
}

const PROTOCOL_VAR = /^(DRP|OPENGDPR|TRANSCEND)_/;
// Reading OpenGDPR's settings signs and verifies with its key: done once per set of vars, not per request.
let cached: { key: string; read: Promise<{ adapters: Adapters; problems: string[] }> } | undefined;

async function readAdapters(env: Env): Promise<{ adapters: Adapters; problems: string[] }> {
  const adapters: Adapters = {};
  const problems: string[] = [];
  if (env.DRP_BUSINESS_ID?.trim()) {
    const drp = parseDrpConfig(env);
    if (drp.ok) adapters.drp = drp.config;
    else problems.push(...drp.problems);
  }
  const [opengdpr, transcend] = await Promise.all([openGdprConfigFrom(env), transcendConfigFrom(env)]);
  if (opengdpr?.ok) adapters.opengdpr = opengdpr.config;
  else if (opengdpr) problems.push(...opengdpr.problems);
  if (transcend?.ok) adapters.transcend = transcend.config;
  else if (transcend) problems.push(...transcend.problems);
  return { adapters, problems };
}

/** The configured adapters, and every problem of those turned on (each naming its var, never a value). */
export function adaptersOf(env: Env): Promise<{ adapters: Adapters; problems: string[] }> {
  const vars = Object.entries(env as unknown as Record<string, unknown>)
    .filter(([name, value]) => PROTOCOL_VAR.test(name) && typeof value === "string")
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const key = JSON.stringify(vars);
  if (cached?.key !== key) cached = { key, read: readAdapters(env) };
  return cached.read;
}

/** A protocol's answer, or undefined when the path is none of the adapters turned on. */
export async function protocolRoute(
  request: Request,
  env: Env,
  adapters: Adapters,
): Promise<Response | undefined> {
  const intake = new WorkerIntake(env);
  const store = new D1ProtocolStore(env);
  // DRP first: it answers only its own paths under /v1, and leaves OpenGDPR's (also under /v1) alone.
  if (adapters.drp) {
    const answer = await handleDrp(request, { intake, store, config: adapters.drp });
    if (answer) return answer;
  }
  if (adapters.opengdpr) {
    const answer = await handleOpenGdpr(request, { intake, store, config: adapters.opengdpr });
    if (answer) return answer;
  }
  if (adapters.transcend) return handleTranscend(request, { intake, store, config: adapters.transcend });
  return undefined;
}

const unauthorized = () =>
  new Response("unauthorized: send Authorization: Bearer <INTAKE_TOKEN>\n", {
    status: 401,
    headers: { "www-authenticate": 'Bearer realm="erasure status"', "content-type": "text/plain" },
  });

/** GET /: the operator's status page, behind the intake's bearer token (or Cloudflare Access in front). */
export async function statusPage(request: Request, env: Env): Promise<Response> {
  if (!(await authorized(request, env))) return unauthorized();
  const view = await readStatusView(env.LEDGER, { now: Date.now() });
  return new Response(renderStatusPage(view), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": STATUS_PAGE_CSP,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}

/** GET /receipts/<key>: a receipt (no user id in it) from RECEIPTS, its whole key one encoded segment. */
export async function receipt(request: Request, env: Env, encodedKey: string): Promise<Response> {
  if (!(await authorized(request, env))) return unauthorized();
  let key: string;
  try {
    key = decodeURIComponent(encodedKey);
  } catch {
    return Response.json({ error: "the receipt key is not valid percent-encoding" }, { status: 400 });
  }
  // Only what the windows store: the bucket holds nothing else this route should hand out.
  const object = key.startsWith("receipts/") ? await env.RECEIPTS.get(key) : null;
  if (!object) return Response.json({ error: "no such receipt" }, { status: 404 });
  const name = key.slice(key.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(await object.text(), {
    headers: {
      "content-type": "application/json",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
