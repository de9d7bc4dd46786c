// The two answer formats on their own: Personalize's JSON errors (the namespace the SDK reads the type
// from) and AWS's validation wording, S3's XML error document.
import { expect, test } from "bun:test";
import * as v from "valibot";
import { jsonError, s3Error, validationMessage, xmlEscape } from "../../src/emulator/wire.ts";

test("a modeled Personalize error and a framework one carry their own namespaces", async () => {
  const modeled = jsonError(400, "ResourceNotFoundException", "gone");
  expect(modeled.headers.get("x-amzn-ErrorType")).toBe(
    "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.personalize/",
  );
  expect(await modeled.json()).toEqual({ __type: "ResourceNotFoundException", message: "gone" });
  expect(jsonError(400, "ThrottlingException", "slow").headers.get("x-amzn-ErrorType")).toBe(
    "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.service/",
  );
});

test("validationMessage says AWS's words for each rule, at most five, and null for a missing member", () => {
  const schema = v.object({
    jobName: v.pipe(v.string(), v.maxLength(3, "must be at most 3 characters long")),
    maxResults: v.pipe(v.number(), v.minValue(1, "must be at least 1")),
    roleArn: v.pipe(v.string(), v.regex(/^arn:/, "must match the pattern ^arn:")),
    dataSource: v.string(),
  });
  const parsed = v.safeParse(schema, { jobName: "long", maxResults: 0, roleArn: "role" });
  expect(parsed.success).toBe(false);
  expect(validationMessage(parsed.issues ?? [])).toBe(
    "4 validation errors detected: " +
      "Value 'long' at 'jobName' failed to satisfy constraint: Member must have length less than or equal to 3; " +
      "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
      "Value 'role' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:; " +
      "Value null at 'dataSource' failed to satisfy constraint: Member must not be null",
  );
  const many = v.safeParse(v.array(v.string()), [1, 2, 3, 4, 5, 6, 7]);
  expect(validationMessage(many.issues ?? [])).toStartWith("5 validation errors detected: ");
});

test("an S3 error escapes what it quotes, so a key cannot break the XML", async () => {
  const answer = s3Error(404, "NoSuchKey", "The specified key does not exist.", "<a&b>");
  expect(answer.status).toBe(404);
  const xml = await answer.text();
  expect(xml).toContain("<Resource>&lt;a&amp;b&gt;</Resource>");
  expect(xml).toContain(`<RequestId>${answer.headers.get("x-amz-request-id")}</RequestId>`);
  expect(xmlEscape(`"'\r\n`)).toBe("&quot;&apos;&#13;&#10;");
});
