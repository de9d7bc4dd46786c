// AWS JSON 1.1 on its own: the request each operation sends and how every answer shape is read, with the
// error shapes captured from @aws-sdk/client-personalize as the reference.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { callPersonalize, parseJsonError } from "../../src/aws/json-protocol.ts";
import {
  InvalidNextTokenException,
  LimitExceededException,
  NetworkError,
  ResourceNotFoundException,
  ServiceError,
} from "../../src/index.ts";
import { scriptedTransport } from "../support/scripted-fetch.ts";

const CAPTURE = JSON.parse(
  readFileSync(new URL("../fixtures/model/aws-sdk-v3-wire-capture.json", import.meta.url), "utf8"),
) as {
  errorParsing: {
    case: string;
    response: { status: number; body: string; headers: Record<string, string> };
    name: string;
    message: string;
  }[];
};

describe("parseJsonError", () => {
  for (const c of CAPTURE.errorParsing) {
    test(`as the SDK reads it: ${c.case}`, () => {
      const error = parseJsonError(c.response.status, new Headers(c.response.headers), c.response.body);
      expect(error.name).toBe(c.name);
      expect(error.message).toBe(c.message);
      expect(error).toBeInstanceOf(ServiceError);
    });
  }
  test("modeled codes get their class; the request id and status are kept", () => {
    const error = parseJsonError(
      400,
      new Headers({ "x-amzn-requestid": "req-1" }),
      JSON.stringify({ __type: "com.amazonaws.personalize#ResourceNotFoundException", message: "gone" }),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect([error.httpStatus, error.requestId, error.retryable]).toEqual([400, "req-1", false]);
    expect(parseJsonError(400, new Headers(), '{"__type":"InvalidNextTokenException"}')).toBeInstanceOf(
      InvalidNextTokenException,
    );
  });
  test("x-amzn-ErrorType is read as the SDKs' sanitizeErrorCode reads it: a list, a colon suffix, a namespace", () => {
    for (const [header, code] of [
      ["ResourceNotFoundException,SomethingElse", "ResourceNotFoundException"],
      [
        "LimitExceededException:http://internal.amazon.com/coral/com.amazonaws.personalize/",
        "LimitExceededException",
      ],
      ["com.amazonaws.personalize#InvalidInputException", "InvalidInputException"],
      ["aws.protocoltests#ThrottlingException:http://x,Other", "ThrottlingException"],
    ] as const) {
      expect({
        header,
        code: parseJsonError(400, new Headers({ "x-amzn-errortype": header }), "{}").name,
      }).toEqual({
        header,
        code,
      });
    }
  });

  test("a page that is not JSON (a proxy's) is named by its status, with the start of its text", () => {
    const error = parseJsonError(502, new Headers(), "<html><body>Bad Gateway</body></html>");
    expect(error.name).toBe("Http502");
    expect(error.message).toBe("<html><body>Bad Gateway</body></html>");
    expect(error.retryable).toBe(true);
  });
  test("retryable follows the retry policy: a rate limit yes, the PENDING limit no", () => {
    const rate = parseJsonError(
      400,
      new Headers(),
      '{"__type":"LimitExceededException","message":"Rate exceeded"}',
    );
    const pending = parseJsonError(
      400,
      new Headers(),
      '{"__type":"LimitExceededException","message":"Too many PENDING data deletion jobs"}',
    );
    expect(rate).toBeInstanceOf(LimitExceededException);
    expect([rate.retryable, pending.retryable]).toEqual([true, false]);
  });
});

describe("callPersonalize", () => {
  test("POSTs the JSON body with the 1.1 content type and the operation's X-Amz-Target, signed", async () => {
    const { transport, sent } = scriptedTransport([() => Response.json({ dataDeletionJobArn: "arn:x" })]);
    const out = await callPersonalize(
      transport,
      "https://personalize.us-east-1.amazonaws.com/",
      "CreateDataDeletionJob",
      {
        jobName: "j",
      },
    );
    expect(out).toEqual({ dataDeletionJobArn: "arn:x" });
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(request?.headers["x-amz-target"]).toBe("AmazonPersonalize.CreateDataDeletionJob");
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDUNIT\/\d{8}\/us-east-1\/personalize\/aws4_request/,
    );
    expect(request?.body).toBe('{"jobName":"j"}');
  });
  test("an empty answer is {}; an answer that is not JSON is retried, then a NetworkError saying so", async () => {
    const empty = scriptedTransport([() => new Response("")]);
    expect(await callPersonalize(empty.transport, "https://p/", "ListDataDeletionJobs", undefined)).toEqual(
      {},
    );
    expect(empty.sent[0]?.body).toBe("{}");
    const garbled = scriptedTransport([
      () => new Response("{not json", { headers: { "x-amzn-requestid": "r-9" } }),
    ]);
    const error = await callPersonalize<never>(
      garbled.transport,
      "https://p/",
      "ListDataDeletionJobs",
      {},
    ).catch((e: NetworkError) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/^ListDataDeletionJobs: POST p failed: .*JSON/i);
    expect(garbled.sent).toHaveLength(3);
  });
  test("an error answer throws the parsed error; a throttled one is tried again and succeeds", async () => {
    const { transport, sent } = scriptedTransport([
      () => Response.json({ __type: "ThrottlingException", message: "Rate exceeded" }, { status: 400 }),
      () => Response.json({ ok: 1 }),
    ]);
    expect(await callPersonalize(transport, "https://p/", "DescribeDataDeletionJob", {})).toEqual({ ok: 1 });
    expect(sent).toHaveLength(2);
  });
  test("maxAttempts: 1 makes one try of a throttled call, which then fails with the service's error", async () => {
    const { transport, sent } = scriptedTransport([
      () => Response.json({ __type: "ThrottlingException", message: "Rate exceeded" }, { status: 400 }),
      () => Response.json({ ok: 1 }),
    ]);
    const error = await callPersonalize<never>(
      transport,
      "https://p/",
      "DescribeDataDeletionJob",
      {},
      { maxAttempts: 1 },
    ).catch((e: ServiceError) => e);
    expect([error.name, error.retryable]).toEqual(["ThrottlingException", true]);
    expect(sent).toHaveLength(1);
  });
});
