// What every S3 operation group reads the same way, on its own: XML text with its entities, max-keys, the
// listing's encoding-type.
import { expect, test } from "bun:test";
import { encoder, encodingProblem, maxKeys, xmlField, xmlText } from "../../src/emulator/s3/common.ts";

test("xmlText decodes named, decimal and hex references; xmlField takes the first element", () => {
  expect(xmlText("a&amp;b&lt;c&gt;&quot;&apos;&#233;&#x1F600;")).toBe(`a&b<c>"'é😀`);
  expect(xmlField("<Key>x&amp;y</Key><Key>z</Key>", "Key")).toBe("x&y");
  expect(xmlField("<Key>\nmulti\nline</Key>", "Key")).toBe("\nmulti\nline");
  expect(xmlField("<Other>x</Other>", "Key")).toBeUndefined();
});

test.each([
  [null, { echo: 1000, max: 1000 }],
  ["0", { echo: 0, max: 0 }],
  ["5000", { echo: 5000, max: 1000 }],
])("max-keys %s", (raw, expected) => {
  const url = new URL(`http://e/b${raw === null ? "" : `?max-keys=${raw}`}`);
  expect(maxKeys(url)).toEqual(expected);
});

test.each(["-1", "1.5", "ten", "+3"])("max-keys %s is InvalidArgument", async (raw) => {
  const answer = maxKeys(new URL(`http://e/b?max-keys=${encodeURIComponent(raw)}`));
  expect(answer).toBeInstanceOf(Response);
  expect(await (answer as Response).text()).toContain("<Code>InvalidArgument</Code>");
});

test("encoding-type=url encodes keys but keeps /; without it keys are XML-escaped; another type is refused", () => {
  expect(encoder(new URL("http://e/b?encoding-type=url"))("a b/c&d")).toBe("a%20b/c%26d");
  expect(encoder(new URL("http://e/b"))("a b/c&d")).toBe("a b/c&amp;d");
  expect(encodingProblem(new URL("http://e/b?encoding-type=url"))).toBeUndefined();
  expect(encodingProblem(new URL("http://e/b?encoding-type=xml"))?.status).toBe(400);
});
