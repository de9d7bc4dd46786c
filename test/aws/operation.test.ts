// The one call path: input validated against the operation's schema before anything is sent, the answer's
// *DateTime members made Dates wherever they are, every page followed, a repeated page token refused, and
// the types taken from the generated model (tsc checks the lines marked below).
import { describe, expect, test } from "bun:test";
import { call, listAll, type PersonalizeService, paginate } from "../../src/aws/operation.ts";
import { ServiceError, ValidationError } from "../../src/index.ts";
import type { ListDatasetsResponse, SolutionVersion } from "../../src/model/operations.ts";
import {
  type DeletionOperation,
  deletionInputSchema,
  type ErasureClientOperation,
  erasureInputSchema,
} from "../../src/model/schemas.ts";
import { scriptedTransport } from "../support/scripted-fetch.ts";

const DSG = "arn:aws:personalize:us-east-1:123456789012:dataset-group/dsg";
const VERSION = "arn:aws:personalize:us-east-1:123456789012:solution-version/v1";

function erasure(answers: (() => Response)[]) {
  const { transport, sent } = scriptedTransport(answers);
  const service: PersonalizeService<ErasureClientOperation> = {
    transport,
    endpoint: "https://p/",
    inputSchema: erasureInputSchema,
  };
  return { service, sent };
}

describe("call", () => {
  test("an input the model refuses is a ValidationError naming the member, and nothing is sent", async () => {
    const { service, sent } = erasure([() => Response.json({})]);
    const error = await call(service, "ListDatasets", { datasetGroupArn: DSG, maxResults: 101 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("maxResults: must be at most 100");
    expect(sent).toHaveLength(0);
  });

  test("the deletion operations get the guide's rules too: a job ARN must name a data deletion job", async () => {
    const { transport, sent } = scriptedTransport([() => Response.json({})]);
    const service: PersonalizeService<DeletionOperation> = {
      transport,
      endpoint: "https://p/",
      inputSchema: deletionInputSchema,
    };
    await expect(call(service, "DescribeDataDeletionJob", { dataDeletionJobArn: DSG })).rejects.toThrow(
      "must be a data deletion job ARN",
    );
    expect(sent).toHaveLength(0);
  });

  test("every *DateTime member, at any depth, becomes a Date; other numbers and strings stay", async () => {
    const { service, sent } = erasure([
      () =>
        Response.json({
          solutionVersion: {
            solutionVersionArn: VERSION,
            creationDateTime: 1700000000.5,
            trainingHours: 2.5,
            tunedHPOParams: { algorithmHyperParameters: { lastUpdatedDateTime: "not a number" } },
          },
        }),
    ]);
    const out = await call(service, "DescribeSolutionVersion", { solutionVersionArn: VERSION });
    // Typed from the model: tsc refuses this line if the output type is not the generated one.
    const version: SolutionVersion | undefined = out.solutionVersion;
    expect(version?.creationDateTime).toEqual(new Date(1700000000500));
    expect(version?.trainingHours).toBe(2.5);
    expect(version?.tunedHPOParams?.algorithmHyperParameters).toEqual({
      lastUpdatedDateTime: "not a number",
    });
    expect(sent[0]?.body).toBe(JSON.stringify({ solutionVersionArn: VERSION }));
    expect(sent[0]?.headers["x-amz-target"]).toBe("AmazonPersonalize.DescribeSolutionVersion");
  });

  test("maxAttempts: 1 tries once where the transport would retry", async () => {
    const busy = () =>
      Response.json({ __type: "ThrottlingException", message: "slow down" }, { status: 400 });
    const once = erasure([busy, () => Response.json({})]);
    await expect(
      call(once.service, "DescribeCampaign", { campaignArn: DSG }, { maxAttempts: 1 }),
    ).rejects.toBeInstanceOf(ServiceError);
    expect(once.sent).toHaveLength(1);
    const retried = erasure([busy, () => Response.json({})]);
    expect(await call(retried.service, "DescribeCampaign", { campaignArn: DSG })).toEqual({});
    expect(retried.sent).toHaveLength(2);
  });

  test("input types come from the model (checked by tsc)", () => {
    const { service } = erasure([]);
    // @ts-expect-error: trainingMode is an enum of the model, and NIGHTLY is not one of its values.
    const wrong = () => call(service, "CreateSolutionVersion", { solutionArn: DSG, trainingMode: "NIGHTLY" });
    // @ts-expect-error: the jobs client's operations are not the erasure service's.
    const other = () => call(service, "CreateDataDeletionJob", {});
    expect([typeof wrong, typeof other]).toEqual(["function", "function"]);
  });
});

describe("paginate and listAll", () => {
  const page = (names: string[], nextToken?: string): (() => Response) => {
    return () =>
      Response.json({ datasets: names.map((name) => ({ name })), ...(nextToken && { nextToken }) });
  };

  test("every page is followed with the token the last one gave, from the one the input names", async () => {
    const { service, sent } = erasure([page(["a", "b"], "t1"), page(["c"], "t2"), page([])]);
    const items = await listAll(
      service,
      "ListDatasets",
      { datasetGroupArn: DSG, nextToken: "t0" },
      "datasets",
    );
    expect(items.map((d) => d.name)).toEqual(["a", "b", "c"]);
    expect(sent.map((s) => JSON.parse(s.body).nextToken)).toEqual(["t0", "t1", "t2"]);
    const typed: NonNullable<ListDatasetsResponse["datasets"]> = items;
    expect(typed).toHaveLength(3);
  });

  test("a token handed back twice is a ServiceError, after the items it did give", async () => {
    const { service, sent } = erasure([page(["a"], "t1"), page(["b"], "t1")]);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const d of paginate(service, "ListDatasets", { datasetGroupArn: DSG }, "datasets")) {
        seen.push(d.name as string);
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toBe("ListDatasets returned the same nextToken twice");
    expect(seen).toEqual(["a", "b"]);
    expect(sent).toHaveLength(2);
  });

  test("only a member of the output that holds the items is a key (checked by tsc)", () => {
    const { service } = erasure([]);
    // @ts-expect-error: nextToken is not a list of items.
    const wrong = () => listAll(service, "ListDatasets", {}, "nextToken");
    expect(typeof wrong).toBe("function");
  });
});
