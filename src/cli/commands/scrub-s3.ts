// `scrub` of an s3:// location: in place, through the outside stage's engine. Each object holding erased
// users is rewritten only while it is still the version read (If-Match), then every version that held them
// is deleted by its id; what could not be read or rewritten is reported with why and exits 3.
import { inspectLocation } from "../../outside/inspect.ts";
import { EXIT } from "../exit.ts";
import { type Parsed, UsageError } from "../options.ts";
import { type Output, plural, table } from "../output.ts";
import { erasedIds, formatFlag, fromReport, s3Target, tableRows } from "../outside.ts";

/** Scrubs `location` in place and prints what it found and did; 0 once nothing of the users is left there. */
export async function scrubS3(location: string, { values }: Parsed, output: Output): Promise<number> {
  if (values.output !== undefined || values.overwrite !== undefined) {
    throw new UsageError(
      `--output and --overwrite are for a local --location; ${location} is scrubbed in place (each object rewritten without the erased users)`,
    );
  }
  const format = formatFlag(values);
  const { ids, users } = await erasedIds(values);
  const s3 = await s3Target(values, output);
  let read = 0;
  const report = await inspectLocation(s3, { kind: "given", location, ...(format ? { format } : {}) }, ids, {
    scrub: true,
    onObject: () => output.progress(`${location}: ${plural(++read, "object version")} read`, String(read)),
  });
  output.done();
  const scan = fromReport(report);
  const rewritten = report.objects.filter((o) => o.state === "scrubbed" && !o.noncurrent).length;
  const deleted = report.objects.reduce((n, o) => n + (o.versionsDeleted?.length ?? 0), 0);
  const result = { users, ...scan, objectsRewritten: rewritten, versionsDeleted: deleted };
  output.result(result, () =>
    [
      table(["LOCATION", "FORMAT", "BYTES", "ROWS", "MATCHING ROWS", "STATE"], tableRows(scan)),
      "",
      scan.state === "scrubbed"
        ? `rewrote ${plural(rewritten, "object")} without the erased users and deleted ${plural(deleted, "version")} that held them`
        : scan.state === "clean"
          ? `no object holds any of the ${plural(users, "erased user")}: nothing written`
          : `not done: some objects ${scan.state === "unreadable" ? "could not be read" : "still hold erased users"} (see why above); run it again once fixed`,
    ].join("\n"),
  );
  return scan.state === "clean" || scan.state === "scrubbed" ? EXIT.ok : EXIT.service;
}
