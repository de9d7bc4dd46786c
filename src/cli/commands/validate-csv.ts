import { prepareDeletionCsv } from "../../index.ts";
import { fileBytes } from "../client.ts";
import { EXIT } from "../exit.ts";
import { type Flags, type Parsed, UsageError } from "../options.ts";
import { type Output, plural, table } from "../output.ts";
import { usersFile } from "../users.ts";

export const flags: Flags = {
  headerless: { type: "boolean", field: "headerless" },
  "max-file-mb": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** `validate-csv`: prepares a file locally and reports what a deletion would do with it. Sends nothing. */
export async function run({ values, positionals }: Parsed, output: Output): Promise<number> {
  const path = positionals[0];
  if (!path) throw new UsageError("give the file to check");
  const maxFileBytes = fileBytes(values);
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
    valid: prepared.invalid.length === 0,
    bytes: prepared.bytes,
    files: prepared.files.length,
    // Size alone: bad lines are reported apart.
    fitsOneJob: prepared.files.length <= 1,
  };
  const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;
  output.result(report, () =>
    [
      table(
        ["CHECK", "RESULT"],
        [
          ["rows", report.rows],
          ["unique user ids", report.uniqueUserIds],
          ["duplicates removed", report.duplicates],
          ["bad lines", report.invalidLines.length === 0 ? "none" : report.invalidLines.length],
          ["prepared size", plural(report.bytes, "byte")],
          [
            "fits one job",
            report.fitsOneJob
              ? `yes (at most ${mb(maxFileBytes)} per job)`
              : `no: ${plural(report.files, "file")} of at most ${mb(maxFileBytes)}, one job each`,
          ],
        ],
      ),
      ...report.invalidLines.slice(0, 50).map((e) => `  ${e.message}`),
      ...(report.invalidLines.length > 50 ? [`  ... and ${report.invalidLines.length - 50} more`] : []),
    ].join("\n"),
  );
  return report.invalidLines.length > 0 ? EXIT.usage : EXIT.ok;
}
