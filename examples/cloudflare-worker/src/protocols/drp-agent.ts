// Pairing (section 2.05): an agent listed in DRP_AGENTS signs a short message naming itself and this
// business, and receives the bearer token its later requests carry; and the bearer token back to its agent.
import type { DrpConfig } from "./drp-config.ts";
import { newToken, openSigned, sha256Hex } from "./drp-crypto.ts";
import { checkEnvelope } from "./drp-envelope.ts";
import { drpError, drpJson, forbiddenNoBody, readCapped } from "./drp-http.ts";
import type { DrpStore } from "./drp-store.ts";

/** The DRP versions whose wire this adapter speaks: 0.9 to 0.9.4, and 1.0 (0.9.4 renumbered, unchanged). */
export const DRP_VERSIONS: readonly string[] = ["0.9", "0.9.1", "0.9.2", "0.9.3", "0.9.4", "1.0"];

/** POST /v1/agent/{agent-id}: a token for a verified pairing message, else 403 with no body (2.05.1). */
export async function pairAgent(
  request: Request,
  pathAgentId: string,
  config: DrpConfig,
  store: DrpStore,
  now: number,
): Promise<Response> {
  const key = config.agents.get(pathAgentId);
  const body = await readCapped(request);
  if (!key || body === undefined) return forbiddenNoBody();
  const opened = await openSigned(body, key);
  if (!opened.ok) return forbiddenNoBody();
  // The agent-id in the URL must be the one inside the signed message (2.05); checkEnvelope compares them.
  const envelope = checkEnvelope(opened.message, pathAgentId, config, now);
  if (!envelope.ok) return forbiddenNoBody();
  // drp.version joined the pairing message in 0.9.4; before it, none was sent.
  const version = opened.message["drp.version"];
  if (version !== undefined && !DRP_VERSIONS.includes(version as string)) return forbiddenNoBody();
  // A pairing message replayed inside its validity would hand its sender a token: each is taken once.
  const messageHash = await sha256Hex(opened.signed);
  if (!(await store.claim(messageHash, "pairing", envelope.envelope.expiresAt, now)))
    return forbiddenNoBody();
  const token = newToken();
  await store.pair(pathAgentId, await sha256Hex(token));
  return drpJson({ "agent-id": pathAgentId, token });
}

/**
 * The agent the request's `Authorization: Bearer` token was issued to, while it is still in DRP_AGENTS (the
 * scheme's name in any case, as HTTP's auth schemes are).
 */
export async function bearerAgent(
  request: Request,
  config: DrpConfig,
  store: DrpStore,
): Promise<string | undefined> {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!match?.[1]) return undefined;
  const agentId = await store.agentOf(await sha256Hex(match[1]));
  return agentId !== undefined && config.agents.has(agentId) ? agentId : undefined;
}

/** The refusal for a missing, unknown or replaced token, in DRP's error shape. */
export const badToken = (): Response =>
  drpError(
    403,
    "the bearer token is missing, unknown or replaced by a newer pairing: pair again with POST /v1/agent/{agent-id}",
  );

/** GET /v1/agent/{agent-id} (2.06): `{}` when the token is that agent's, else 403. */
export async function agentInformation(
  request: Request,
  pathAgentId: string,
  config: DrpConfig,
  store: DrpStore,
): Promise<Response> {
  const agentId = await bearerAgent(request, config, store);
  if (agentId === undefined) return badToken();
  if (agentId !== pathAgentId)
    return drpError(403, "the bearer token belongs to another agent than the one in the path");
  return drpJson({});
}
