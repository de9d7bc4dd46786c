import { ValidationError } from "../errors.ts";
import type { Tag } from "../model/types.ts";

/**
 * Tags as people write them: `KEY=VALUE` entries (an array, or lines of one text), or a JSON object of
 * strings (`{"team":"data"}`). Empty text is no tags. A mistake is a {@link ValidationError} naming
 * `field` (the caller's own name for it: `--tag`, `tags`). The service's rules for keys and values are
 * checked with the request.
 */
export function parseTags(written: string | string[], field = "tags"): Tag[] | undefined {
  const fail = (rule: string, received: string): never => {
    throw new ValidationError([{ path: field, rule, received: JSON.stringify(received).slice(0, 120) }]);
  };
  const joined = Array.isArray(written) ? written.join("\n") : written;
  if (joined.trim() === "") return undefined;
  if (!Array.isArray(written) && joined.trim().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(joined);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      return fail("must be KEY=VALUE lines or a JSON object of strings", joined);
    }
    return Object.entries(parsed).map(([tagKey, tagValue]) =>
      typeof tagValue === "string"
        ? { tagKey, tagValue }
        : fail(`the value of ${tagKey} must be a string`, String(tagValue)),
    );
  }
  const entries = Array.isArray(written) ? written : joined.split(/\r?\n/);
  return entries
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf("=");
      if (eq < 1)
        return fail(Array.isArray(written) ? "must be KEY=VALUE" : "each line must be KEY=VALUE", entry);
      return { tagKey: entry.slice(0, eq).trim(), tagValue: entry.slice(eq + 1).trim() };
    });
}
