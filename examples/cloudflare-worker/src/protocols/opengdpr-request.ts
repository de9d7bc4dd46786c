// An OpenGDPR 1.0 request body (section 7.1) read into what the Worker erases: one user id from the
// configured identity, the dataset group, the callback URLs. Each refusal names the field in the spec's
// words and the rule; identity values are never repeated.
import type { OpenGdprConfig } from "./opengdpr-wire.ts";

/** A request the processor will take. */
export interface OpenGdprIntake {
  subjectRequestId: string;
  userId: string;
  /** Where in the body the user id was, for a refusal of the id itself. */
  userIdField: string;
  datasetGroup?: string;
  callbackUrls: string[];
}

/** A refusal: the message, and the error object's `reason`. */
export interface OpenGdprRefusal {
  message: string;
  reason: string;
}

// Section 1.1: GUIDs MUST be lowercase and v4.
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const REQUEST_TYPES = ["access", "portability", "erasure"];
const MAX_CALLBACK_URLS = 10;

/** Whether a string is a subject_request_id as section 1.1 requires it (lowercase UUID v4). */
export const isSubjectRequestId = (value: string): boolean => UUID_V4.test(value);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const refuse = (message: string, reason = "IllegalArgumentException"): OpenGdprRefusal => ({
  message,
  reason,
});

/** The request to take, or why not. */
export function readOpenGdprRequest(
  body: unknown,
  config: OpenGdprConfig,
): { ok: true; value: OpenGdprIntake } | { ok: false; refusal: OpenGdprRefusal } {
  const no = (message: string, reason?: string) => ({ ok: false as const, refusal: refuse(message, reason) });
  if (!isObject(body)) return no("the body must be a JSON object");

  const id = body.subject_request_id;
  if (id === undefined) return no("subject_request_id field is required");
  if (typeof id !== "string" || !isSubjectRequestId(id)) {
    return no("subject_request_id must be a lowercase UUID v4 string (section 1.1)");
  }

  const type = body.subject_request_type;
  if (type === undefined) return no("subject_request_type field is required");
  if (typeof type !== "string" || !REQUEST_TYPES.includes(type)) {
    return no(`subject_request_type must be one of ${REQUEST_TYPES.join(", ")}`);
  }
  if (type !== "erasure") {
    return no(
      `subject_request_type "${type}" is not supported: this processor takes erasure only (see /discovery)`,
      "UnsupportedSubjectRequestType",
    );
  }

  const submitted = body.submitted_time;
  if (submitted === undefined) return no("submitted_time field is required");
  if (typeof submitted !== "string" || !RFC3339.test(submitted) || Number.isNaN(Date.parse(submitted))) {
    return no("submitted_time must be an RFC 3339 date string");
  }

  const version = body.api_version;
  if (version !== undefined && (typeof version !== "string" || !/^1(\.\d+)*$/.test(version))) {
    return no("api_version must name a 1.x version of the OpenGDPR API", "UnsupportedApiVersion");
  }

  const urls = callbackUrls(body.status_callback_urls, config.allowHttpCallbacks === true);
  if (typeof urls === "string") return no(urls);

  const extensions = body.extensions;
  if (extensions !== undefined && !isObject(extensions)) return no("extensions must be an object");
  const own = extensions?.[config.processorDomain];
  if (own !== undefined && !isObject(own))
    return no(`extensions["${config.processorDomain}"] must be an object`);
  const group = own?.dataset_group;
  if (group !== undefined && (typeof group !== "string" || group === "")) {
    return no(`extensions["${config.processorDomain}"].dataset_group must be a non-empty string`);
  }

  const identity = pickIdentity(body.subject_identities, config);
  if ("message" in identity) return { ok: false, refusal: identity };
  const datasetGroup = (group as string | undefined) ?? config.datasetGroup;
  return {
    ok: true,
    value: {
      subjectRequestId: id,
      userId: identity.value,
      userIdField: identity.field,
      ...(datasetGroup !== undefined && { datasetGroup }),
      callbackUrls: urls,
    },
  };
}

function callbackUrls(value: unknown, allowHttp: boolean): string[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return "status_callback_urls must be an array of URLs";
  if (value.length > MAX_CALLBACK_URLS)
    return `status_callback_urls holds more than ${MAX_CALLBACK_URLS} URLs`;
  const urls: string[] = [];
  for (const [i, url] of value.entries()) {
    let parsed: URL | undefined;
    try {
      parsed = typeof url === "string" ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    const schemeOk = parsed?.protocol === "https:" || (allowHttp && parsed?.protocol === "http:");
    if (!parsed || !schemeOk) {
      return `status_callback_urls[${i}] must be an absolute ${allowHttp ? "http(s)" : "https"} URL`;
    }
    if (!urls.includes(url as string)) urls.push(url as string);
  }
  return urls;
}

// The one identity of the configured type and format: the user id exactly as given.
function pickIdentity(
  value: unknown,
  config: OpenGdprConfig,
): { value: string; field: string } | OpenGdprRefusal {
  const wanted = config.identity;
  if (value === undefined) {
    return refuse(
      `subject_identities field is required: this processor erases by ${wanted.type} (${wanted.format})`,
    );
  }
  if (!Array.isArray(value) || value.length === 0)
    return refuse("subject_identities must be a non-empty array");
  const matches: { value: string; field: string }[] = [];
  const seenTypes = new Set<string>();
  for (const [i, identity] of value.entries()) {
    if (!isObject(identity))
      return refuse(`subject_identities[${i}] must be an identity object (section 5.3)`);
    for (const field of ["identity_type", "identity_value", "identity_format"]) {
      if (typeof identity[field] !== "string")
        return refuse(`subject_identities[${i}].${field} must be a string`);
    }
    const type = identity.identity_type as string;
    seenTypes.add(type);
    if (type !== wanted.type) continue;
    if (identity.identity_format !== wanted.format) {
      return refuse(
        `subject_identities[${i}].identity_format must be "${wanted.format}" for ${wanted.type} (see /discovery)`,
        "UnsupportedIdentityFormat",
      );
    }
    matches.push({
      value: identity.identity_value as string,
      field: `subject_identities[${i}].identity_value`,
    });
  }
  const first = matches[0];
  if (!first) {
    // Only the types are named: they are the spec's keys, not anyone's identity.
    const types = [...seenTypes].map((t) => (/^[a-z0-9_]{1,40}$/.test(t) ? t : "(other)")).join(", ");
    return refuse(
      `subject_identities holds no ${wanted.type} identity, the one this processor erases by; received types: ${types}`,
      "UnsupportedIdentity",
    );
  }
  if (matches.some((m) => m.value !== first.value)) {
    return refuse(
      `subject_identities holds ${matches.length} different ${wanted.type} values: one request erases one data subject`,
      "AmbiguousIdentity",
    );
  }
  return first;
}
