import { prepareDeletionCsv } from "../../index.ts";
import { EXIT } from "../exit.ts";
import { type Flags, numeric, type Parsed, UsageError } from "../options.ts";
import { type Output, table } from "../output.ts";
import { usersFile } from "../users.ts";

export const flags: Flags = {
  headerless: { type: "boolean" },
  "max-file-mb": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** `validate-csv`: prepares a file locally and reports what a deletion would do with it. Sends nothing. */
export async function run({ values, positionals }: Parsed, output: Output): Promise<number> {
  const path = positionals[0];
  if (!path) throw new UsageError("give the file to check");
  const maxFileBytes = Math.round(numeric(values, "max-file-mb", { fallback: 50, min: 0.001 }) * 1024 * 1024);
  const prepared = await prepareDeletionCsv(await usersFile(path, "the file"), {
    headerless: values.headerless === true,
    invalidLines: "collect",
    maxFileBytes,
  });
  const report = {
    file: path,
    rows: prepared.rows,
    uniqueUserIds: prepared.userCount,
    duplicates: prepared.duplicateCount,
    invalidLines: prepared.invalid.map((e) => ({ line: e.line, message: e.message })),
    bytes: prepared.bytes,
    files: prepared.files.length,
    fitsOneJob: prepared.files.length <= 1 && prepared.invalid.length === 0,
  };
  output.result(report, () =>
    [
      table(
        ["CHECK", "RESULT"],
        [
          ["rows", report.rows],
          ["unique user ids", report.uniqueUserIds],
          ["duplicates", report.duplicates],
          ["invalid lines", report.invalidLines.length],
          ["prepared bytes", report.bytes],
          [
            "fits one job",
            report.fitsOneJob ? "yes" : `no (${report.files} files of at most ${maxFileBytes} bytes)`,
          ],
        ],
      ),
      ...report.invalidLines.slice(0, 50).map((e) => `  ${e.message}`),
    ].join("\n"),
  );
  return report.invalidLines.length > 0 ? EXIT.usage : EXIT.ok;
}
