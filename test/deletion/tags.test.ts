// Tags as people write them (src/deletion/tags.ts): KEY=VALUE lines or entries, or a JSON object of
// strings; each mistake a ValidationError naming the caller's own field.
import { describe, expect, test } from "bun:test";
import { parseTags } from "../../src/deletion/tags.ts";
import { ValidationError } from "../../src/index.ts";

function refusal(written: string | string[], field?: string): ValidationError {
  try {
    parseTags(written, field);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`parseTags accepted ${JSON.stringify(written)}`);
}

describe("parseTags", () => {
  test("KEY=VALUE lines (LF or CRLF, blank lines skipped), trimmed around key and value", () => {
    expect(parseTags("team=data\r\n\n  owner = privacy office \ncost-center=42\n")).toEqual([
      { tagKey: "team", tagValue: "data" },
      { tagKey: "owner", tagValue: "privacy office" },
      { tagKey: "cost-center", tagValue: "42" },
    ]);
  });

  test("the first = splits: a value may hold = and may be empty", () => {
    expect(parseTags(["query=a=b", "empty="])).toEqual([
      { tagKey: "query", tagValue: "a=b" },
      { tagKey: "empty", tagValue: "" },
    ]);
  });

  test("a JSON object of strings, in its order", () => {
    expect(parseTags(' {"team":"data","b":"x=y"} ')).toEqual([
      { tagKey: "team", tagValue: "data" },
      { tagKey: "b", tagValue: "x=y" },
    ]);
    expect(parseTags("{}")).toEqual([]);
  });

  test("nothing written is no tags, not an empty list", () => {
    for (const empty of ["", "  \n ", [], ["", " "]]) expect(parseTags(empty)).toBeUndefined();
  });

  test("mistakes name the caller's field, the rule and what was received", () => {
    expect(refusal("team=data\nnoequals", "--tag").issues).toEqual([
      { path: "--tag", rule: "each line must be KEY=VALUE", received: '"noequals"' },
    ]);
    expect(refusal(["=value"], "tags").issues[0]).toEqual({
      path: "tags",
      rule: "must be KEY=VALUE",
      received: '"=value"',
    });
    expect(refusal('{"team": 1}').issues[0]).toEqual({
      path: "tags",
      rule: "the value of team must be a string",
      received: '"1"',
    });
    for (const bad of ['{"team": "data"', '{"a":"b"} x']) {
      expect(refusal(bad, "tags").issues[0]?.rule).toBe(
        "must be KEY=VALUE lines or a JSON object of strings",
      );
    }
    // An array entry is never read as JSON: each entry is KEY=VALUE.
    expect(refusal(['{"a":"b"}']).issues[0]?.rule).toBe("must be KEY=VALUE");
    // A JSON array is not an object of tags: it is read as a line (and its key left to the model's rule).
    expect(refusal('["team"]').issues[0]?.rule).toBe("each line must be KEY=VALUE");
  });

  test("what was received is cut to 120 characters", () => {
    const received = refusal("x".repeat(500)).issues[0]?.received as string;
    expect(received.length).toBe(120);
    expect(received.startsWith('"xxx')).toBe(true);
  });
});
