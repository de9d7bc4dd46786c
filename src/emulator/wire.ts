// The two wire formats the emulator answers in: AWS JSON 1.1 (Personalize) and S3's REST XML.
import type * as v from "valibot";

export function requestId(): string {
  return crypto.randomUUID();
}

/** A Personalize success answer. */
export function jsonOk(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId() },
  });
}

// The exceptions the Personalize model declares; the rest come from the service framework in front of it.
const MODELED = new Set([
  "InvalidInputException",
  "InvalidNextTokenException",
  "LimitExceededException",
  "ResourceAlreadyExistsException",
  "ResourceInUseException",
  "ResourceNotFoundException",
  "TooManyTagsException",
  "TooManyTagKeysException",
]);

/**
 * A Personalize error answer as the service sends it: `__type` and `message` in the body, and the type in
 * `x-amzn-ErrorType` with its namespace after a colon.
 */
export function jsonError(status: number, type: string, message: string): Response {
  const namespace = MODELED.has(type) ? "com.amazonaws.personalize" : "com.amazon.coral.service";
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": requestId(),
      "x-amzn-ErrorType": `${type}:http://internal.amazon.com/coral/${namespace}/`,
    },
  });
}

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Text as S3 writes it in XML (user guide, "Object key naming guidelines", XML related object key
 * constraints): the five named entities, a carriage return as `&#13;` and a line feed as `&#10;`.
 */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"'\r\n]/g, (c) => XML_ENTITIES[c] ?? `&#${c.charCodeAt(0)};`);
}

/** An S3 error answer: the XML `Error` document with its request id. */
export function s3Error(status: number, code: string, message: string, resource = ""): Response {
  const id = requestId();
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>${id}</RequestId></Error>`;
  return new Response(xml, {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": id },
  });
}

// The client's rule messages (src/model/schemas.ts) in the words AWS's validation layer uses.
function awsConstraint(rule: string): string {
  const bound = /^must be (at least|at most) (\d+)( characters long| items long)?$/.exec(rule);
  if (bound) {
    const [, side, n, unit] = bound;
    const relation = side === "at least" ? "greater than or equal to" : "less than or equal to";
    return unit ? `Member must have length ${relation} ${n}` : `Member must have value ${relation} ${n}`;
  }
  const pattern = /^must match the pattern (.*)$/.exec(rule);
  if (pattern) return `Member must satisfy regular expression pattern: ${pattern[1]}`;
  return `Member ${rule}`;
}

/**
 * AWS's validation message: "1 validation error detected: Value 'x' at 'jobName' failed to satisfy
 * constraint: Member must satisfy regular expression pattern: ..." (at most five, joined by "; ").
 */
export function validationMessage(issues: v.BaseIssue<unknown>[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const path = (issue.path ?? []).map((p) => String(p.key)).join(".") || "input";
    if (issue.input === undefined)
      return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
    const value = typeof issue.input === "string" ? issue.input : JSON.stringify(issue.input);
    return `Value '${value}' at '${path}' failed to satisfy constraint: ${awsConstraint(issue.message)}`;
  });
  return `${parts.length} validation error${parts.length > 1 ? "s" : ""} detected: ${parts.join("; ")}`;
}
