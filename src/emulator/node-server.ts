import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { EMULATOR_DEFAULTS } from "./defaults.ts";
import { ConnectionDropped, createEmulator, type Emulator, type EmulatorOptions } from "./handler.ts";
import type { Snapshot } from "./state.ts";

/** Options of {@link startEmulator}. */
export interface StartOptions extends EmulatorOptions {
  host?: string;
  /** 0 picks a free port. Default 4566 (`EMULATOR_DEFAULTS.port`). */
  port?: number;
  /** Persist state here (atomically, after every change) and restore it on start. */
  dataDir?: string;
}

/** A running emulator server. */
export interface RunningEmulator {
  emulator: Emulator;
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

function persistence(
  dataDir: string,
): Pick<EmulatorOptions, "onChange"> & { load(emulator: Emulator): void } {
  const objectsDir = join(dataDir, "objects");
  mkdirSync(objectsDir, { recursive: true });
  const statePath = join(dataDir, "state.json");
  return {
    onChange(snapshot, objects) {
      for (const [sha256, body] of objects) {
        const path = join(objectsDir, sha256);
        if (existsSync(path)) continue;
        writeFileSync(`${path}.tmp`, body);
        renameSync(`${path}.tmp`, path);
      }
      // Write-then-rename: a crash leaves the old state or the new one, never half of one.
      writeFileSync(`${statePath}.tmp`, JSON.stringify(snapshot));
      renameSync(`${statePath}.tmp`, statePath);
      // Only once the state no longer refers to them: a body no object version refers to is not kept.
      for (const name of readdirSync(objectsDir)) if (!objects.has(name)) rmSync(join(objectsDir, name));
    },
    load(emulator) {
      if (!existsSync(statePath)) return;
      const snapshot = JSON.parse(readFileSync(statePath, "utf8")) as Snapshot;
      emulator.restore(snapshot, (sha256) => new Uint8Array(readFileSync(join(objectsDir, sha256))));
    },
  };
}

// The request with its body, or the answer to a body over the handler's limit for it: a `Content-Length`
// over the limit is refused before a byte is read, and a chunked body once it passes the limit, so the
// server never holds more than the limit.
async function toRequest(
  req: IncomingMessage,
  base: string,
  emulator: Emulator,
): Promise<Request | Response> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const url = new URL(req.url ?? "/", base);
  const method = req.method ?? "GET";
  const head = new Request(url, { method, headers });
  const limit = emulator.bodyLimit(head);
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return emulator.tooLarge(head, declared);
  const chunks: Uint8Array[] = [];
  // Events, not `for await`: leaving that loop early destroys the socket in Node, and the answer with it.
  const fits = await new Promise<boolean>((resolve, reject) => {
    let size = 0;
    const take = (chunk: Uint8Array) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off("data", take);
      req.pause();
      resolve(false);
    };
    req.on("data", take);
    req.once("end", () => resolve(true));
    req.once("error", reject);
  });
  if (!fits) return emulator.tooLarge(head);
  const hasBody = method !== "GET" && method !== "HEAD";
  // The chunks as a stream: a byte array body would be copied twice (concatenated, then copied by Request)
  // before the handler copies it once more to read it. Fewer 50 MB copies, less GC under uploads.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request(url, { method, headers, ...(hasBody ? { body, duplex: "half" } : {}) } as RequestInit);
}

// Answers a request whose body was not read to its end, and closes the connection: the rest of the body is
// discarded as it comes (never kept), and the socket is closed a moment after the answer has gone.
async function refuse(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  // No `Connection: close`: Node would close at once, and a client still sending would meet EPIPE before it
  // read the answer. The rest is read and dropped for a second, then the socket is closed.
  // Taken now: Bun's node:http clears `req.socket` once the connection closes.
  const socket = req.socket;
  res.once("finish", () => {
    req.resume();
    setTimeout(() => socket?.destroy(), 1000).unref();
  });
  await reply(res, response);
}

async function reply(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body) res.end(Buffer.from(await response.arrayBuffer()));
  else res.end();
}

/** Starts the emulator on node:http (Node, and Bun and Deno through their node:http support). */
export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const store = options.dataDir ? persistence(options.dataDir) : undefined;
  const emulator = createEmulator({ ...options, ...(store ? { onChange: store.onChange } : {}) });
  store?.load(emulator);
  const host = options.host ?? EMULATOR_DEFAULTS.host;
  let base = `http://${host}`;
  const server: Server = createServer(async (req, res) => {
    try {
      const request = await toRequest(req, base, emulator);
      if (request instanceof Response) await refuse(req, res, request);
      else await reply(res, await emulator.fetch(request));
    } catch (error) {
      if (error instanceof ConnectionDropped) {
        req.socket.destroy();
        return;
      }
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ __type: "InternalFailure", message: "emulator error" }));
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? EMULATOR_DEFAULTS.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    emulator,
    endpoint: base,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
