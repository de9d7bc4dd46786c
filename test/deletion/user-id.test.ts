// The one rule an id must meet to be erased exactly as given: each clause of userIdProblem on its own, at
// its edges, and the message never repeating the id (personal data).
import { describe, expect, test } from "bun:test";
import { MAX_USER_ID_LENGTH, userIdProblem } from "../../src/deletion/user-id.ts";

// A marker that shows up in the message if the id is ever echoed.
const ID = "secret-user";

describe("userIdProblem", () => {
  test("an ordinary id, inner spaces and quotes included, has no problem", () => {
    for (const id of [ID, "a b", 'say "hi"', "a,b", "日本", "\u{1F600}", "x"]) {
      expect(userIdProblem(id)).toBeUndefined();
    }
  });

  test("empty is refused", () => {
    expect(userIdProblem("")).toBe("a user id must not be empty");
  });

  test("whitespace says where it is: leading, trailing or both, Unicode spaces included", () => {
    const cases: [string, string][] = [
      [` ${ID}`, "leading"],
      [`${ID} `, "trailing"],
      [` ${ID} `, "leading and trailing"],
      [`\t${ID}`, "leading"],
      [`${ID}\u00a0`, "trailing"],
      [`\u3000${ID}`, "leading"],
      [`\u3000${ID}\u00a0`, "leading and trailing"],
      // Only whitespace: both ends are whitespace.
      ["   ", "leading and trailing"],
    ];
    for (const [id, where] of cases) {
      const problem = userIdProblem(id);
      expect(problem).toStartWith(`the user id has ${where} whitespace: Personalize stores ids exactly`);
    }
  });

  test("a lone high or low surrogate is refused; a valid pair is one character and fine", () => {
    for (const id of [`${ID}\ud800`, `\udc00${ID}`, `a\ud83dxb`, "\ude00\ud83d"]) {
      expect(userIdProblem(id)).toMatch(/not well-formed Unicode \(it holds a lone surrogate\)/);
    }
    expect(userIdProblem("a\ud83d\ude00b")).toBeUndefined();
  });

  test("control characters are refused, named by code: C0, U+007F; U+0080 and above are not", () => {
    const cases: [string, string][] = [
      ["\u0000", "\\u0000"],
      ["\u0001", "\\u0001"],
      ["\n", "\\u000a"],
      ["\r", "\\u000d"],
      ["\u001f", "\\u001f"],
      ["\u007f", "\\u007f"],
    ];
    for (const [char, named] of cases) {
      expect(userIdProblem(`a${char}b`)).toBe(
        `a user id must not contain control characters, found ${named}`,
      );
    }
    // A tab inside an id (not at an end, where it would be whitespace) is a control character.
    expect(userIdProblem("a\tb")).toContain("found \\u0009");
    expect(userIdProblem("a\u0080b")).toBeUndefined();
  });

  test("at most 256 characters, counted in code points: astral characters count once", () => {
    expect(MAX_USER_ID_LENGTH).toBe(256);
    expect(userIdProblem("x".repeat(256))).toBeUndefined();
    expect(userIdProblem("x".repeat(257))).toBe(
      "a user id must be at most 256 characters (Personalize's USER_ID limit), found 257",
    );
    // 256 emoji are 512 UTF-16 units but 256 characters.
    const astral256 = "\u{1F600}".repeat(256);
    expect(astral256.length).toBe(512);
    expect(userIdProblem(astral256)).toBeUndefined();
    expect(userIdProblem(`${astral256}x`)).toMatch(/at most 256 characters .*found 257$/);
    expect(userIdProblem(`${"\u{1F600}".repeat(200)}${"x".repeat(57)}`)).toMatch(/found 257$/);
  });

  test("the rules are checked in order: a padded over-long id is told of its whitespace first", () => {
    expect(userIdProblem(` ${"x".repeat(300)}`)).toMatch(/leading whitespace/);
    expect(userIdProblem(`\ud800${"x".repeat(300)}\u0000`)).toMatch(/lone surrogate/);
  });

  test("no message repeats the id", () => {
    for (const id of [` ${ID}`, `${ID}\u00a0`, `${ID}\ud800`, `${ID}\u0007`, `${ID}${"x".repeat(300)}`]) {
      const problem = userIdProblem(id);
      expect(problem).toBeString();
      expect(problem).not.toContain(ID);
    }
  });
});
