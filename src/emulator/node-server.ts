import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
    },
    load(emulator) {
      if (!existsSync(statePath)) return;
      const snapshot = JSON.parse(readFileSync(statePath, "utf8")) as Snapshot;
      emulator.restore(snapshot, (sha256) => new Uint8Array(readFileSync(join(objectsDir, sha256))));
    },
  };
}

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // The chunks as a stream: a byte array body would be copied twice (concatenated, then copied by Request)
  // before the handler copies it once more to read it. Fewer 50 MB copies, less GC under uploads.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request(new URL(req.url ?? "/", base), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body, duplex: "half" } : {}),
  } as RequestInit);
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
      await reply(res, await emulator.fetch(await toRequest(req, base)));
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
