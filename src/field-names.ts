import { ValidationError } from "./errors.ts";

/** What a front-end calls one of the library's fields, e.g. `{ name: "--page-size" }` for `maxResults`. */
export interface FieldName {
  /** The caller's own name: a flag, an input, a form field. */
  name: string;
  /** The rule in words, for a field whose model rule is a regular expression the library has no words for. */
  pattern?: string;
}

/** Library field paths (`roleArn`, `dataSource.dataLocation`, `tags`) to a front-end's names. */
export type FieldNames = Record<string, FieldName>;

/**
 * The model's regular expressions said in words, by the shape they constrain. The library's validation
 * errors say these instead of the pattern (src/model/schemas.ts finds them by the shape's pattern); front-ends may
 * reuse them in their {@link FieldName}s.
 */
export const RULES_IN_WORDS = {
  /** Job names (the model's `Name`). */
  Name: "must start with a letter or digit and hold only letters, digits, hyphens and underscores",
  /** The Personalize service role (the model's `RoleArn`). */
  RoleArn: "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
  /** Any Personalize resource (the model's `Arn`). */
  Arn: "must be a Personalize ARN (arn:aws:personalize:REGION:ACCOUNT:TYPE/NAME)",
  /** A data location (the model's `S3Location`). */
  S3Location: "must start with s3://, http:// or https://",
  /** Tag keys and values (the model's `TagKey` and `TagValue` share one pattern). */
  TagKey: "must hold only letters, numbers, spaces and the characters _ . : / = + - @",
  /** A page token (the model's `NextToken`). */
  NextToken: "must hold only ASCII characters",
} as const;

/** What `names` calls a field: the entry of its longest known prefix (`tags.3.tagKey` is what `tags` is). */
export function lookup(names: FieldNames, path: string): FieldName | undefined {
  for (let at = path.length; at > 0; at = path.lastIndexOf(".", at - 1)) {
    const found = names[path.slice(0, at)];
    if (found) return found;
  }
  return undefined;
}

/**
 * An error's message told in a front-end's names: a {@link ValidationError}'s first issue as
 * `NAME: RULE, received VALUE` (a `must match the pattern ...` the library had no words for replaced by the
 * field's `pattern` where one is given), and in any other message every field written as `` `field` `` renamed. One table of names
 * serves every message; the library's own messages stay as they are.
 */
export function retell(error: unknown, names: FieldNames): string {
  if (error instanceof ValidationError) {
    const [first] = error.issues;
    if (first) {
      const field = lookup(names, first.path);
      const rule =
        field?.pattern && first.rule.startsWith("must match the pattern") ? field.pattern : first.rule;
      const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
      return `${field?.name ?? first.path}: ${rule}, received ${first.received}${more}`;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/`([A-Za-z.]+)`/g, (quoted, path: string) => lookup(names, path)?.name ?? quoted);
}
