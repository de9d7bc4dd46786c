// examples/cloudflare-worker/fides/: the Fides SaaS connector's shape (its YAML parses into Fides' SaaS config
// and dataset forms; every placeholder it uses is one of its own params; the token is a sensitive param sent
// as a bearer token), and each request it names answered by the Worker's router in miniflare as Fides would
// send it: the test connection and the erasure, refused without the token.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { parse } from "yaml";
import { applyMigrations } from "../support/d1-migrations.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIDES = join(ROOT, "examples/cloudflare-worker/fides");
const TOKEN = "intake-token-for-fides-tests-0123456789abcdef";

interface SaasRequest {
  method: string;
  path: string;
  headers?: { name: string; value: string }[];
  query_params?: { name: string; value: string }[];
  param_values?: { name: string; connector_param?: string; identity?: string }[];
  body?: string;
}
interface SaasConfig {
  fides_key: string;
  name: string;
  type: string;
  version: string;
  connector_params: { name: string; sensitive?: boolean; default_value?: string }[];
  client_config: {
    protocol: string;
    host: string;
    authentication: { strategy: string; configuration: { token: string } };
  };
  test_request: SaasRequest;
  endpoints: { name: string; requests: Record<string, SaasRequest> }[];
}

const config = (
  parse(readFileSync(join(FIDES, "personalize_erasure_config.yml"), "utf8")) as { saas_config: SaasConfig }
).saas_config;
const dataset = parse(readFileSync(join(FIDES, "personalize_erasure_dataset.yml"), "utf8")) as {
  dataset: { fides_key: string; collections: unknown[] }[];
};
const placeholders = (text: string) => [...text.matchAll(/<([a-z_]+)>/g)].map((m) => m[1]);

// A request's text with its placeholders filled as Fides fills them: connector params and param values.
function filled(text: string, request: SaasRequest, values: Record<string, string>): string {
  return text.replace(/<([a-z_]+)>/g, (_, name: string) => {
    const param = request.param_values?.find((p) => p.name === name);
    const key = param?.connector_param ?? param?.identity ?? name;
    const value = values[key];
    if (value === undefined) throw new Error(`no value for <${name}>`);
    return value;
  });
}

describe("the Fides connector's shape", () => {
  test("a SaaS config and its dataset, with the same instance key placeholder", () => {
    expect(config.fides_key).toBe("<instance_fides_key>");
    expect(dataset.dataset[0]?.fides_key).toBe("<instance_fides_key>");
    expect(dataset.dataset[0]?.collections).toEqual([]);
    expect(config.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(config.type).toMatch(/^[a-z_]+$/);
  });

  test("bearer auth with the Worker's token, a sensitive param, over https", () => {
    expect(config.client_config.protocol).toBe("https");
    expect(config.client_config.authentication.strategy).toBe("bearer");
    const [token] = placeholders(config.client_config.authentication.configuration.token);
    expect(config.connector_params.find((p) => p.name === token)?.sensitive).toBe(true);
    expect(
      placeholders(config.client_config.host).every((h) => config.connector_params.some((p) => p.name === h)),
    ).toBe(true);
  });

  test("every placeholder of every request is a connector param or one of the request's param values", () => {
    const requests = [config.test_request, ...config.endpoints.flatMap((e) => Object.values(e.requests))];
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      for (const param of request.param_values ?? []) {
        if (param.connector_param)
          expect(config.connector_params.map((p) => p.name)).toContain(param.connector_param);
        else expect(param.identity).toBe("external_id");
      }
      for (const name of placeholders(`${request.path} ${request.body ?? ""}`)) {
        expect(request.param_values?.some((p) => p.name === name)).toBe(true);
      }
    }
    // Erasure only: Fides reads nothing back.
    expect(config.endpoints.flatMap((e) => Object.keys(e.requests))).toEqual(["delete"]);
  });
});

describe("the requests it names, answered by the Worker", () => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = new Miniflare({
      modules: true,
      script: await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts")),
      compatibilityDate: "2026-04-01",
      d1Databases: ["LEDGER"],
      r2Buckets: ["RECEIPTS"],
      queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
      bindings: {
        DATASET_GROUPS: "shop=arn:aws:personalize:us-east-1:000000000000:dataset-group/shop",
        INTAKE_TOKEN: TOKEN,
        LEDGER_KEY: "ledger-key-for-fides-tests-0123456789abcdef",
        DEADLINE_DAYS: "30",
      },
    });
    await applyMigrations(
      (await mf.getD1Database("LEDGER")) as never,
      join(ROOT, "examples/cloudflare-worker/migrations"),
    );
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  const values = {
    domain: "erasure.example",
    intake_token: TOKEN,
    dataset_group: "shop",
    external_id: "fides-user-1",
  };
  function asFides(request: SaasRequest, token?: string) {
    const url = new URL(
      `https://${filled(config.client_config.host, request, values)}${filled(request.path, request, values)}`,
    );
    for (const q of request.query_params ?? [])
      url.searchParams.set(q.name, filled(q.value, request, values));
    const headers: Record<string, string> = Object.fromEntries(
      (request.headers ?? []).map((h) => [h.name, h.value]),
    );
    if (token) headers.Authorization = `Bearer ${token}`;
    return mf.dispatchFetch(url.href, {
      method: request.method,
      headers,
      ...(request.body ? { body: filled(request.body, request, values) } : {}),
    }) as unknown as Promise<Response>;
  }

  test("the test connection: 200 with the token, 401 without", async () => {
    expect((await asFides(config.test_request, TOKEN)).status).toBe(200);
    expect((await asFides(config.test_request)).status).toBe(401);
  });

  test("the erasure: taken (202) with the id exactly as Fides sends it, refused without the token", async () => {
    const erase = config.endpoints[0]?.requests.delete as SaasRequest;
    expect((await asFides(erase)).status).toBe(401);
    const taken = await asFides(erase, TOKEN);
    expect(taken.status).toBe(202);
    expect(await taken.json()).toMatchObject({ datasetGroup: "shop", status: "queued" });
    const db = await mf.getD1Database("LEDGER");
    const rows = await db.prepare("SELECT protocol, dataset_group FROM requests").all();
    expect(rows.results).toEqual([{ protocol: "api", dataset_group: "shop" }]);
  });
});
