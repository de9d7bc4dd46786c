import { ValidationError } from "./errors.ts";

/** What a front-end calls one of the library's fields, e.g. `{ name: "--page-size" }` for `maxResults`. */
export interface FieldName {
  /** The caller's own name: a flag, an input, a form field. */
  name: string;
  /** The rule in words, for a field whose model rule is a bare regular expression. */
  pattern?: string;
}

/** Library field paths (`roleArn`, `dataSource.dataLocation`, `tags`) to a front-end's names. */
export type FieldNames = Record<string, FieldName>;

/**
 * The model's bare regular expressions said in words, by the shape they constrain, for front-ends to put in
 * their {@link FieldName}s (the library's own messages keep the pattern; these words cost it no bytes).
 */
export const RULES_IN_WORDS = {
  /** Job names (the model's `Name`). */
  Name: "must start with a letter or digit and hold only letters, digits, hyphens and underscores",
  /** The Personalize service role (the model's `RoleArn`). */
  RoleArn: "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
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
 * `NAME: RULE, received VALUE` (the library's `must match the pattern ...` replaced by the rule in words where
 * one is given), and in any other message every field written as `` `field` `` renamed. One table of names
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
