// An in-memory Worker as the protocol adapters see it (examples/cloudflare-worker/src/protocols/port.ts):
// a real intake that records what it was given, keeps each request's state, refuses what the Worker's
// intake refuses for an id (empty, or padded with whitespace) and cancels only before a window is
// submitted; and a key-value store with expiry on the injected clock.
import type {
  IntakePort,
  InternalErasureRequest,
  Protocol,
  ProtocolStore,
  RequestState,
} from "../../examples/cloudflare-worker/src/protocols/port.ts";

const DAY_MS = 86_400_000;
const CANCELLABLE = new Set<RequestState["status"]>(["received", "queued", "in_window"]);

export class MemoryIntake implements IntakePort {
  readonly taken: InternalErasureRequest[] = [];
  readonly cancelled: string[] = [];
  readonly states = new Map<string, RequestState>();
  deadlineDays = 30;
  clock = Date.parse("2026-12-01T10:00:00Z");
  /** Dataset groups the Worker serves; a request naming another is refused. */
  groups = new Set(["shop"]);

  now(): number {
    return this.clock;
  }

  async take(
    request: InternalErasureRequest,
  ): Promise<
    { ok: true; state: RequestState } | { ok: false; status: number; error: string; field?: string }
  > {
    if (request.userId === "" || request.userId.trim() !== request.userId) {
      return {
        ok: false,
        status: 400,
        error: "userId refused: it is empty or has leading or trailing whitespace",
        field: "userId",
      };
    }
    if (request.datasetGroup !== undefined && !this.groups.has(request.datasetGroup)) {
      return {
        ok: false,
        status: 400,
        error: "datasetGroup is not one of the configured dataset groups",
        field: "datasetGroup",
      };
    }
    this.taken.push(structuredClone(request));
    const requestId = `req-${this.taken.length}`;
    const state: RequestState = {
      requestId,
      status: "received",
      receivedAt: new Date(this.clock).toISOString(),
      deadline: new Date(this.clock + this.deadlineDays * DAY_MS).toISOString(),
    };
    this.states.set(requestId, state);
    return { ok: true, state: { ...state } };
  }

  async state(
    id: { requestId: string } | { protocol: Protocol; externalId: string },
  ): Promise<RequestState | undefined> {
    if ("requestId" in id) {
      const state = this.states.get(id.requestId);
      return state && { ...state };
    }
    const index = this.taken.findIndex(
      (r) => r.protocol === id.protocol && r.callback?.externalId === id.externalId,
    );
    const state = index < 0 ? undefined : this.states.get(`req-${index + 1}`);
    return state && { ...state };
  }

  async cancel(requestId: string): Promise<"cancelled" | "too-late" | "unknown"> {
    const state = this.states.get(requestId);
    if (!state) return "unknown";
    if (!CANCELLABLE.has(state.status)) return "too-late";
    state.status = "cancelled";
    this.cancelled.push(requestId);
    return "cancelled";
  }

  /** Moves a request on, as the Worker's windows would. */
  set(requestId: string, change: Partial<RequestState>): RequestState {
    const state = this.states.get(requestId);
    if (!state) throw new Error(`no request ${requestId}`);
    Object.assign(state, change);
    return { ...state };
  }
}

export class MemoryStore implements ProtocolStore {
  readonly entries = new Map<string, { value: string; expires?: number }>();
  constructor(private readonly clock: () => number) {}
  /**
   * When set, each read waits until this many reads are waiting (or 100 ms passed): two deliveries racing
   * then both read before either writes, the interleaving a check-then-set guard cannot survive.
   */
  readTogether = 0;
  #waiting: (() => void)[] = [];
  async #meet(): Promise<void> {
    if (this.readTogether < 2) return;
    await new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      if (this.#waiting.length >= this.readTogether) for (const go of this.#waiting.splice(0)) go();
      else setTimeout(resolve, 100);
    });
  }

  async get(key: string): Promise<string | undefined> {
    await this.#meet();
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires !== undefined && entry.expires <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async put(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.entries.set(key, {
      value,
      ...(ttlSeconds !== undefined && { expires: this.clock() + ttlSeconds * 1000 }),
    });
  }

  // No await between the read and the write: as atomic as D1's one statement.
  async putIfAbsent(key: string, value: string, ttlSeconds?: number, replacing?: string): Promise<boolean> {
    const entry = this.entries.get(key);
    const live = entry && (entry.expires === undefined || entry.expires > this.clock());
    if (live && entry.value !== replacing) return false;
    this.entries.set(key, {
      value,
      ...(ttlSeconds !== undefined && { expires: this.clock() + ttlSeconds * 1000 }),
    });
    return true;
  }
}
