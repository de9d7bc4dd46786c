// The rule an id must meet to be erased exactly as given, in one place: the deletion file, the CSV reader
// and the Worker's intake all ask it.

/** Personalize's USER_ID field length limit. */
export const MAX_USER_ID_LENGTH = 256;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// With the u flag a pair of surrogates is one code point, so only a lone one matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Why Personalize could not erase `id` exactly as given, in words (the id itself is never repeated, as it
 * is personal data), or `undefined` when it can. The rules: not empty, no leading or trailing whitespace
 * (Personalize stores ids exactly, so the trimmed id would be another user), well-formed Unicode (no lone
 * surrogate), no control characters, at most 256 characters.
 */
export function userIdProblem(id: string): string | undefined {
  if (id === "") return "a user id must not be empty";
  if (id.trim() !== id) {
    const where =
      id.trimStart() !== id ? (id.trimEnd() !== id ? "leading and trailing" : "leading") : "trailing";
    return `the user id has ${where} whitespace: Personalize stores ids exactly, so erasing the trimmed id would erase a different user (fix the list, or opt in to trimming)`;
  }
  if (LONE_SURROGATE.test(id)) {
    return "the user id is not well-formed Unicode (it holds a lone surrogate), so it cannot be written as UTF-8 exactly";
  }
  const control = CONTROL.exec(id);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    return `a user id must not contain control characters, found \\u${code}`;
  }
  if (id.length > MAX_USER_ID_LENGTH) {
    let n = 0;
    for (const _ of id) n++;
    if (n > MAX_USER_ID_LENGTH) {
      return `a user id must be at most ${MAX_USER_ID_LENGTH} characters (Personalize's USER_ID limit), found ${n}`;
    }
  }
  return undefined;
}
