// Minimal shapes of the Workers runtime types this example uses (install @cloudflare/workers-types for all).

export interface Queue<T> {
  send(body: T): Promise<void>;
  /** At most 100 messages at once. */
  sendBatch(messages: { body: T }[]): Promise<void>;
}

export interface MessageBatch<T> {
  /** The queue the batch came from: the intake queue or its dead-letter queue. */
  queue: string;
  messages: { body: T; attempts: number; ack(): void; retry(options?: { delaySeconds?: number }): void }[];
  retryAll(options?: { delaySeconds?: number }): void;
  ackAll(): void;
}

export interface D1Result<T = Record<string, unknown>> {
  results: T[];
  meta: { changes: number };
}

export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  run(): Promise<D1Result>;
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
}

export interface D1Database {
  prepare(query: string): D1PreparedStatement;
  batch(statements: D1PreparedStatement[]): Promise<D1Result[]>;
}

export interface R2Bucket {
  put(key: string, value: string, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>;
  get(key: string): Promise<{ text(): Promise<string> } | null>;
}

export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

export interface ScheduledController {
  scheduledTime: number;
  cron: string;
  noRetry(): void;
}

/** The handlers a Worker module exports, as @cloudflare/workers-types declares them. */
export interface ExportedHandler<Env = unknown, QueueHandlerMessage = unknown> {
  fetch?: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
  queue?: (batch: MessageBatch<QueueHandlerMessage>, env: Env, ctx: ExecutionContext) => void | Promise<void>;
  scheduled?: (controller: ScheduledController, env: Env, ctx: ExecutionContext) => void | Promise<void>;
}

/** A Workflow binding (`[[workflows]]`), as @cloudflare/workers-types declares it. */
export interface Workflow<Params = unknown> {
  /** Throws (`instance.not_found`) for an id no instance has. */
  get(id: string): Promise<WorkflowInstance>;
  /** Throws when an instance of that id exists. */
  create(options?: { id?: string; params?: Params }): Promise<WorkflowInstance>;
}

/** What `WorkflowInstance.status()` answers. */
export interface InstanceStatus {
  status:
    | "queued"
    | "running"
    | "paused"
    | "errored"
    | "terminated"
    | "complete"
    | "waiting"
    | "waitingForPause"
    | "unknown";
  error?: { name: string; message: string };
  output?: unknown;
}

export interface WorkflowInstance {
  id: string;
  status(): Promise<InstanceStatus>;
  terminate(): Promise<void>;
  /** Runs the instance again from its first step, with the same id and params. */
  restart(): Promise<void>;
}
