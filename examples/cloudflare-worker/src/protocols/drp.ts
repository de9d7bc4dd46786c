// The Worker as a Data Rights Protocol (v0.9 to 1.0) Privacy Infrastructure Provider for erasure: pairing,
// exercise ("deletion" only), status and revoke, routed here; everything else is not DRP's (undefined).
// Spec: https://github.com/consumer-reports-innovation-lab/data-rights-protocol/blob/main/data-rights-protocol.md
import { agentInformation, pairAgent } from "./drp-agent.ts";
import type { DrpConfig } from "./drp-config.ts";
import { exercise } from "./drp-exercise.ts";
import { drpError } from "./drp-http.ts";
import { requestStatus, revokeRequest } from "./drp-request.ts";
import { DrpStore } from "./drp-store.ts";
import type { IntakePort, ProtocolStore } from "./port.ts";

export { type DrpConfig, type DrpVars, parseDrpConfig } from "./drp-config.ts";
export { type ExerciseStatus, exerciseStatus } from "./drp-status.ts";

const notAllowed = (allow: string) => {
  const response = drpError(405, `this endpoint takes ${allow} only`);
  response.headers.set("allow", allow);
  return response;
};

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Answers a DRP request (`/v1/agent/{id}`, `/v1/data-rights-request[/{id}]` under DRP_BASE_PATH), or
 * `undefined` when the path is not DRP's, so the Worker routes it elsewhere.
 */
export async function handleDrp(
  request: Request,
  deps: { intake: IntakePort; store: ProtocolStore; config: DrpConfig },
): Promise<Response | undefined> {
  const { config, intake } = deps;
  const path = new URL(request.url).pathname;
  if (!path.startsWith(`${config.basePath}/v1/`)) return undefined;
  const rest = path.slice(config.basePath.length);
  const store = new DrpStore(deps.store);
  const inner = { intake, store, config };

  const agent = /^\/v1\/agent\/([^/]+)$/.exec(rest);
  if (agent?.[1]) {
    const agentId = decoded(agent[1]);
    if (agentId === undefined) return drpError(400, "the agent-id in the path is not valid percent-encoding");
    if (request.method === "POST") return pairAgent(request, agentId, config, store, intake.now());
    if (request.method === "GET") return agentInformation(request, agentId, config, store);
    return notAllowed("GET, POST");
  }
  // Before 0.9.3 the exercise URL ended in "/"; both are taken (2.01).
  if (rest === "/v1/data-rights-request" || rest === "/v1/data-rights-request/") {
    if (request.method === "POST") return exercise(request, inner);
    return notAllowed("POST");
  }
  const one = /^\/v1\/data-rights-request\/([^/]+)$/.exec(rest);
  if (one?.[1]) {
    const requestId = decoded(one[1]);
    if (requestId === undefined)
      return drpError(400, "the request_id in the path is not valid percent-encoding");
    if (request.method === "GET") return requestStatus(request, requestId, inner);
    if (request.method === "DELETE") return revokeRequest(request, requestId, inner);
    return notAllowed("GET, DELETE");
  }
  return undefined;
}
