// examples/cloudflare-worker's outside settings (issue #23) as config.ts reads them: SCRUB implies SCAN,
// OUTSIDE_LOCATIONS split and trimmed, SUPPRESSION with its key; and what refuses the Worker's start (the
// refusal's 500s and log line are those of test/examples/cloudflare-worker-safety.test.ts).
import { describe, expect, test } from "bun:test";
import { configProblem, outsideChoices } from "../../examples/cloudflare-worker/src/config.ts";
import type { Env } from "../../examples/cloudflare-worker/src/env.ts";

const TOKEN = "outside-intake-token-0123456789abcdef";
const LEDGER_KEY = "outside-ledger-key-0123456789abcdef";
const SUPPRESSION_KEY = "outside-suppression-key-0123456789abcdef";

describe("SCAN, SCRUB, OUTSIDE_LOCATIONS and SUPPRESSION as the Worker reads them", () => {
  const env = (vars: Partial<Env>) =>
    ({ INTAKE_TOKEN: TOKEN, LEDGER_KEY, SCAN: "false", SCRUB: "false", ...vars }) as Env;

  test("SCRUB implies SCAN; locations split on commas and trimmed; the suppression list with its key", () => {
    expect(outsideChoices(env({}))).toEqual({ scan: false, scrub: false });
    expect(outsideChoices(env({ SCAN: "true" }))).toEqual({ scan: true, scrub: false });
    expect(outsideChoices(env({ SCRUB: "true" }))).toEqual({ scan: true, scrub: true });
    expect(
      outsideChoices(
        env({
          OUTSIDE_LOCATIONS: " s3://warehouse/export/ ,s3://archive/2026.csv,",
          SUPPRESSION: "s3://lists/erased/",
          SUPPRESSION_KEY,
        }),
      ),
    ).toEqual({
      scan: false,
      scrub: false,
      locations: ["s3://warehouse/export/", "s3://archive/2026.csv"],
      suppression: "s3://lists/erased/",
      suppressionKey: SUPPRESSION_KEY,
    });
  });

  test("refused at start, naming the variable and never a secret's value", () => {
    const ok = { SUPPRESSION: "s3://lists/erased/", SUPPRESSION_KEY };
    expect(configProblem(env(ok))).toBeUndefined();
    // Without SUPPRESSION the key is not used, so not asked for.
    expect(configProblem(env({ SUPPRESSION_KEY: "short" }))).toBeUndefined();
    const short = "k".repeat(31);
    const cases: [Partial<Env>, string][] = [
      [{ ...ok, SUPPRESSION_KEY: short }, "SUPPRESSION_KEY is shorter than 32 bytes; generate each secret"],
      // Bytes are counted, not characters: 16 characters of 2 bytes each less one.
      [{ ...ok, SUPPRESSION_KEY: `${"é".repeat(15)}k` }, "SUPPRESSION_KEY is shorter than 32 bytes"],
      [{ SUPPRESSION: "s3://lists/erased/" }, "SUPPRESSION_KEY is not set (SUPPRESSION is)"],
      [
        { ...ok, SUPPRESSION: "s3://lists/erased" },
        "SUPPRESSION is not an s3://bucket/prefix/ folder (ending in /)",
      ],
      [
        { OUTSIDE_LOCATIONS: "s3://warehouse/export/, /var/export.csv" },
        "OUTSIDE_LOCATIONS entry 2 is not an s3:// object or folder",
      ],
    ];
    for (const [vars, words] of cases) {
      const problem = configProblem(env(vars)) ?? "";
      expect(problem).toStartWith(`refusing to start: ${words}`);
      if (vars.SUPPRESSION_KEY) expect(problem).not.toContain(vars.SUPPRESSION_KEY);
    }
    // The deadline and the callbacks' pace, as LOOK_* are: named, with what was received.
    const settings: [Partial<Env>, string][] = [
      [{ DEADLINE_DAYS: "thirty" }, 'DEADLINE_DAYS is not a whole number of days above 0 (got "thirty")'],
      [{ DEADLINE_DAYS: "0" }, 'DEADLINE_DAYS is not a whole number of days above 0 (got "0")'],
      [{ DEADLINE_DAYS: "" }, 'DEADLINE_DAYS is not a whole number of days above 0 (got "")'],
      [{ DEADLINE_DAYS: "2.5" }, 'DEADLINE_DAYS is not a whole number of days above 0 (got "2.5")'],
      [
        { CALLBACK_RETRY_SECONDS: "1m" },
        'CALLBACK_RETRY_SECONDS is not a number of seconds above 0 (got "1m")',
      ],
      [
        { CALLBACK_RETRY_SECONDS: "-5" },
        'CALLBACK_RETRY_SECONDS is not a number of seconds above 0 (got "-5")',
      ],
    ];
    for (const [vars, words] of settings) {
      expect(configProblem(env(vars))).toBe(`refusing to start: ${words}`);
    }
    expect(configProblem(env({ DEADLINE_DAYS: "45", CALLBACK_RETRY_SECONDS: "0.5" }))).toBeUndefined();
    // A setting, not a secret: no advice to generate one.
    expect(configProblem(env({ OUTSIDE_LOCATIONS: "warehouse" }))).not.toContain("openssl");
  });
});
