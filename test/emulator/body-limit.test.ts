// The server reads no request body past the limit the handler gives for its service: a Content-Length over
// it is answered before any of the body is read, and a chunked body is cut off once it passes it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AwsV4Signer } from "aws4fetch";
import { createEmulator, MAX_JSON_BODY } from "../../src/emulator/handler.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { MAX_OBJECT_BODY, S3_MAX_UPLOAD } from "../../src/emulator/s3/size.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
let running: RunningEmulator;
beforeAll(async () => {
  running = await startEmulator({ port: 0 });
});
afterAll(() => running.close());

const personalizeHeaders = {
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": "AmazonPersonalize.ListDataDeletionJobs",
};

// Starts a request (a POST to / unless `to` says otherwise) with `headers` and hands it to `feed`; resolves
// with the answer and its body.
function post(
  headers: Record<string, string>,
  feed: (req: ReturnType<typeof httpRequest>, answered: () => boolean) => void,
  to: { method: string; path: string } = { method: "POST", path: "/" },
): Promise<{ status: number; body: string }> {
  const { port } = running;
  return new Promise((resolve, reject) => {
    let got = false;
    const req = httpRequest({ host: "127.0.0.1", port, ...to, headers }, (res: IncomingMessage) => {
      got = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server closes the connection after refusing: the unsent rest of the body fails to write.
    req.on("error", (error) => (got ? undefined : reject(error)));
    feed(req, () => got);
  });
}

describe("the server's body limit, asked of the handler per request", () => {
  test("a Content-Length over the Personalize limit is 413 before the body is sent", async () => {
    const declared = MAX_JSON_BODY + 1;
    // Only ten bytes of the declared body are ever sent: an answer proves the server did not wait for more.
    const answer = await post({ ...personalizeHeaders, "content-length": String(declared) }, (req) => {
      req.write('{"a":"1234');
    });
    expect(answer.status).toBe(413);
    const error = JSON.parse(answer.body) as { __type: string; message: string };
    expect(error.__type).toBe("SerializationException");
    expect(error.message).toContain(`${declared} bytes is over the ${MAX_JSON_BODY} byte limit`);
  });

  test("a chunked body that never ends is cut off at the limit and answered 413", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(32);
    let sent = 0;
    const answer = await post({ ...personalizeHeaders, "transfer-encoding": "chunked" }, (req, answered) => {
      const pump = () => {
        while (!answered() && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).__type).toBe("SerializationException");
    // What the client managed to send before the answer: the limit, plus what sockets buffer on the way.
    expect(sent).toBeGreaterThan(MAX_JSON_BODY);
    expect(sent).toBeLessThan(MAX_JSON_BODY * 3);
    expect(await (await fetch(`${running.endpoint}/_emulator/health`)).json()).toEqual({ ok: true });
  });

  test("a Personalize body of exactly the limit is read and validated (not refused for its size)", async () => {
    const prefix = '{"nextToken":"';
    const body = `${prefix}${"x".repeat(MAX_JSON_BODY - prefix.length - 2)}"}`;
    expect(body.length).toBe(MAX_JSON_BODY);
    const signed = await new AwsV4Signer({
      url: `${running.endpoint}/`,
      method: "POST",
      headers: personalizeHeaders,
      body,
      ...creds,
      service: "personalize",
      region: "us-east-1",
    }).sign();
    const response = await fetch(signed.url, { method: "POST", headers: signed.headers, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe("InvalidInputException");
  });

  test("the limit is the service's: an S3 PutObject larger than the Personalize limit is stored", async () => {
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: running.endpoint,
      forcePathStyle: true,
      credentials: creds,
      maxAttempts: 1,
    });
    const size = MAX_JSON_BODY + 1024;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: running.emulator.bucket, Key: "big.bin", Body: new Uint8Array(size) }),
    );
    expect(put.ETag).toBeDefined();
    expect(running.emulator.state.buckets.get(running.emulator.bucket)?.get("big.bin")?.body.length).toBe(
      size,
    );
  });

  test("in process, the handler stops reading a streamed body past the limit", async () => {
    const emulator = createEmulator();
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1 << 20;
        controller.enqueue(new Uint8Array(1 << 20));
      },
    });
    const response = await emulator.fetch(
      new Request("http://emulator/", {
        method: "POST",
        headers: personalizeHeaders,
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(MAX_JSON_BODY + 3 * (1 << 20));
  });
});

// S3's answer to a body over its limit, from the Content-Length before a byte of the body is read: the same
// EntityTooLarge, in S3's words, that a PutObject or UploadPart gets once the body is read.
describe("the S3 body limit before the body is read", () => {
  const putTen = (declared: number) =>
    post(
      { "content-length": String(declared), "content-type": "application/octet-stream" },
      (req) => {
        req.write("0123456789");
      },
      { method: "PUT", path: `/${running.emulator.bucket}/big.csv` },
    );
  const s3Code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  // S3 escapes ' in its XML as &apos; (its XML related object key constraints); any reference is read back.
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  const s3Message = (xml: string) =>
    /<Message>([^<]*)<\/Message>/
      .exec(xml)?.[1]
      ?.replace(/&(#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
        e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : (named[e] as string),
      );

  test("a Content-Length over S3's 5 GiB is EntityTooLarge, naming the size and S3's limit", async () => {
    const declared = S3_MAX_UPLOAD + 1;
    const answer = await putTen(declared);
    expect(answer.status).toBe(400);
    expect(s3Code(answer.body)).toBe("EntityTooLarge");
    expect(s3Message(answer.body)).toBe(
      `Your proposed upload exceeds the maximum allowed size: ${declared} bytes is over S3's ${S3_MAX_UPLOAD} byte limit for one PUT or part`,
    );
  });

  test("a Content-Length under 5 GiB but over what the emulator holds names the emulator's limit", async () => {
    const declared = MAX_OBJECT_BODY + 1;
    const answer = await putTen(declared);
    expect(answer.status).toBe(400);
    expect(s3Code(answer.body)).toBe("EntityTooLarge");
    expect(s3Message(answer.body)).toBe(
      `Your proposed upload exceeds the maximum allowed size: ${declared} bytes is over the emulator's ${MAX_OBJECT_BODY} byte in-memory limit`,
    );
    expect(running.emulator.state.buckets.get(running.emulator.bucket)?.has("big.csv")).toBe(false);
  });

  test("in process, a streamed S3 body past the limit is EntityTooLarge, with no size to name", async () => {
    const emulator = createEmulator();
    const chunk = new Uint8Array(1 << 20);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await emulator.fetch(
      new Request(`http://emulator/${emulator.bucket}/streamed.csv`, {
        method: "PUT",
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    const xml = await response.text();
    expect(response.status).toBe(400);
    expect(s3Code(xml)).toBe("EntityTooLarge");
    expect(s3Message(xml)).toBe(
      `Your proposed upload exceeds the maximum allowed size: the body is over the emulator's ${MAX_OBJECT_BODY} byte in-memory limit`,
    );
    expect(pulled).toBeGreaterThan(MAX_OBJECT_BODY);
    expect(pulled).toBeLessThanOrEqual(MAX_OBJECT_BODY + 3 * chunk.length);
  });
});
