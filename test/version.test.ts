import { expect, test } from "bun:test";
import packageJson from "../package.json" with { type: "json" };
import { VERSION } from "../src/cli/version.ts";
import { TOOL } from "../src/version.ts";

test("the tool a receipt names is the package, at its version", () => {
  expect(TOOL).toEqual({ name: packageJson.name, version: packageJson.version });
  expect(VERSION).toBe(packageJson.version);
});
