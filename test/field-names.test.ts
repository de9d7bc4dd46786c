// A front-end's names for the library's fields (src/field-names.ts): lookup by the longest known prefix,
// and retell, which tells a library error in those names.
import { describe, expect, test } from "bun:test";
import { type FieldNames, lookup, RULES_IN_WORDS, retell } from "../src/field-names.ts";
import { ConflictError, ValidationError } from "../src/index.ts";

const NAMES: FieldNames = {
  jobName: { name: "--job-name", pattern: "letters, digits, hyphens and underscores" },
  dataSource: { name: "--data-source" },
  "dataSource.dataLocation": { name: "--data-location" },
  tags: { name: "--tag" },
  datasetGroupArn: { name: "--dataset-group-arn" },
  region: { name: "--region" },
};

describe("lookup", () => {
  test("the entry of the longest known prefix, at dot boundaries only", () => {
    expect(lookup(NAMES, "dataSource.dataLocation")?.name).toBe("--data-location");
    expect(lookup(NAMES, "dataSource.other")?.name).toBe("--data-source");
    expect(lookup(NAMES, "tags.3.tagKey")?.name).toBe("--tag");
    expect(lookup(NAMES, "tags")?.name).toBe("--tag");
    // A name that merely starts like a known one is not it.
    expect(lookup(NAMES, "tagsExtra")).toBeUndefined();
    expect(lookup(NAMES, "roleArn")).toBeUndefined();
    expect(lookup(NAMES, "")).toBeUndefined();
  });
});

describe("retell", () => {
  test("a ValidationError's first issue in the front-end's name, with how many more", () => {
    const error = new ValidationError(
      [
        { path: "tags.0.tagKey", rule: RULES_IN_WORDS.TagKey, received: '"a!"' },
        { path: "roleArn", rule: "r", received: "x" },
      ],
      "deleteUsers",
    );
    expect(retell(error, NAMES)).toBe(`--tag: ${RULES_IN_WORDS.TagKey}, received "a!" (and 1 more)`);
    // A field the table does not know keeps the library's path.
    const unknown = new ValidationError([{ path: "roleArn", rule: "must be set", received: "undefined" }]);
    expect(retell(unknown, NAMES)).toBe("roleArn: must be set, received undefined");
  });

  test("a pattern the library has no words for is replaced by the field's own words, and only that rule", () => {
    const pattern = new ValidationError([
      { path: "jobName", rule: "must match the pattern ^[a-z]+$", received: '"A"' },
    ]);
    expect(retell(pattern, NAMES)).toBe('--job-name: letters, digits, hyphens and underscores, received "A"');
    const length = new ValidationError([{ path: "jobName", rule: "at most 63 characters", received: '"A"' }]);
    expect(retell(length, NAMES)).toBe('--job-name: at most 63 characters, received "A"');
    // Without words of its own the pattern stays.
    const noWords = new ValidationError([
      { path: "tags.1", rule: "must match the pattern ^x$", received: '"y"' },
    ]);
    expect(retell(noWords, NAMES)).toBe('--tag: must match the pattern ^x$, received "y"');
  });

  test("any other message: every backticked field renamed, unknown ones and plain words left", () => {
    const error = new ConflictError(
      "`datasetGroupArn` is in eu-west-1 but requests go to us-east-1 (`region`); not `roleArn`, and jobName plain",
    );
    expect(retell(error, NAMES)).toBe(
      "--dataset-group-arn is in eu-west-1 but requests go to us-east-1 (--region); not `roleArn`, and jobName plain",
    );
    expect(retell(new Error("see `dataSource.dataLocation`"), NAMES)).toBe("see --data-location");
    expect(retell("`tags` as a string", NAMES)).toBe("--tag as a string");
    // No issues: the message, renamed as any other.
    expect(retell(new ValidationError([]), NAMES)).toBe("invalid input");
  });
});
