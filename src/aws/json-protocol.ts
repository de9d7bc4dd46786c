import {
  InvalidInputException,
  InvalidNextTokenException,
  LimitExceededException,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  ServiceError,
  type ServiceErrorDetails,
  TooManyTagsException,
} from "../errors.ts";
import { targetPrefix } from "../model/deletion.ts";
import { isRetryableJsonError } from "./retry.ts";
import type { SendOptions, Transport } from "./transport.ts";

const MODELED: Record<string, new (message: string, details: ServiceErrorDetails) => ServiceError> = {
  InvalidInputException,
  InvalidNextTokenException,
  LimitExceededException,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  TooManyTagsException,
};

/** Builds the typed error for a JSON 1.1 error answer, as the AWS SDK does (`__type` or `x-amzn-errortype`). */
export function parseJsonError(status: number, headers: Headers, bodyText: string): ServiceError {
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(bodyText) as unknown;
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // A proxy or load balancer may answer with HTML; the status still tells what happened.
  }
  const rawType = headers.get("x-amzn-errortype") ?? (typeof body.__type === "string" ? body.__type : "");
  // As the AWS SDKs' sanitizeErrorCode: the first of a comma-separated list, before any `:`, after any `#`.
  const code = rawType.split(/[,:]/)[0]?.replace(/^.*#/, "") || `Http${status}`;
  const message = String(body.message ?? body.Message ?? (bodyText.slice(0, 200) || `HTTP ${status}`));
  const requestId = headers.get("x-amzn-requestid") ?? undefined;
  const details: ServiceErrorDetails = {
    httpStatus: status,
    requestId,
    retryable: isRetryableJsonError(status, code, message),
  };
  const Modeled = MODELED[code];
  if (Modeled) return new Modeled(message, details);
  return new ServiceError(message, { ...details, code });
}

/** Options of one Personalize call: its signal, and its tries when they are not the transport's. */
export interface PersonalizeCallOptions extends SendOptions {
  signal?: AbortSignal | undefined;
}

/** Calls one Personalize operation over AWS JSON 1.1 and returns the parsed JSON answer. */
export function callPersonalize<T>(
  transport: Transport,
  endpoint: string,
  operation: string,
  input: unknown,
  { signal, maxAttempts }: PersonalizeCallOptions = {},
): Promise<T> {
  return transport.send(
    {
      service: "personalize",
      operation,
      method: "POST",
      url: endpoint,
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${targetPrefix}.${operation}`,
      },
      body: JSON.stringify(input ?? {}),
      signal,
    },
    async (response) => {
      const text = await response.text();
      if (!response.ok) throw parseJsonError(response.status, response.headers, text);
      // An answer that is not JSON (a proxy's page, a cut body) fails to parse: a retryable NetworkError.
      return (text ? JSON.parse(text) : {}) as T;
    },
    { maxAttempts },
  );
}
