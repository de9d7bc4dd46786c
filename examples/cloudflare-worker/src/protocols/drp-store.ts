// What DRP keeps in the ProtocolStore: bearer tokens (as SHA-256 only, so a read of the store pairs with
// no agent), each request's DRP record, and the signed messages already taken (replays), keyed by the
// message's bytes rather than its signature, so that no second signature of the same bytes passes as new.
import type { ProtocolStore } from "./port.ts";

/** A DRP request as the adapter remembers it: whose it is and which Worker request it became. */
export interface DrpRecord {
  /** The agent that submitted it: only its token may read or revoke it (section 2.02.1). */
  agentId: string;
  /** The Worker's own request id (IntakePort). */
  workerRequestId: string;
  /** The agent's `agent-request-id`, echoed as `agent_request_id` (section 3.03). */
  agentRequestId?: string;
  /** Milliseconds: when the DRP record may be forgotten (answered as `expires_at`). */
  expiresAt: number;
}

const tokenKey = (hash: string) => `drp:token:${hash}`;
const agentKey = (agentId: string) => `drp:agent-token:${agentId}`;
const requestKey = (id: string) => `drp:request:${id}`;
const seenKey = (hash: string) => `drp:seen:${hash}`;

/** The DRP view of the store. */
export class DrpStore {
  constructor(private readonly store: ProtocolStore) {}

  /** Records `tokenHash` as `agentId`'s one token: pairing again voids the one before. */
  async pair(agentId: string, tokenHash: string): Promise<void> {
    await this.store.put(tokenKey(tokenHash), agentId);
    await this.store.put(agentKey(agentId), tokenHash);
  }

  /** The agent whose current token hashes to `tokenHash`, if any. */
  async agentOf(tokenHash: string): Promise<string | undefined> {
    const agentId = await this.store.get(tokenKey(tokenHash));
    if (agentId === undefined) return undefined;
    return (await this.store.get(agentKey(agentId))) === tokenHash ? agentId : undefined;
  }

  async record(id: string): Promise<DrpRecord | undefined> {
    const text = await this.store.get(requestKey(id));
    return text === undefined ? undefined : (JSON.parse(text) as DrpRecord);
  }

  async putRecord(id: string, record: DrpRecord, now: number): Promise<void> {
    await this.store.put(requestKey(id), JSON.stringify(record), ttl(record.expiresAt, now));
  }

  /** What was recorded for a signed message already taken: a DRP request id, or "pairing". */
  async seen(messageHash: string): Promise<string | undefined> {
    return this.store.get(seenKey(messageHash));
  }

  /**
   * Takes a signed message once: remembers it as `value` until it expires and answers true, unless it was
   * taken already (and holds anything but `replacing`), however many deliveries race.
   */
  claim(
    messageHash: string,
    value: string,
    until: number,
    now: number,
    replacing?: string,
  ): Promise<boolean> {
    return this.store.putIfAbsent(seenKey(messageHash), value, ttl(until, now), replacing);
  }

  /** Remembers a signed message until it expires, after which its `expires-at` refuses it anyway. */
  async markSeen(messageHash: string, value: string, until: number, now: number): Promise<void> {
    await this.store.put(seenKey(messageHash), value, ttl(until, now));
  }
}

// Cloudflare KV refuses expirations under 60 seconds; a longer memory only refuses the same replays longer.
const ttl = (until: number, now: number) => Math.max(60, Math.ceil((until - now) / 1000));
