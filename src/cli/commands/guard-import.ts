import { guardImport } from "../../outside/guard.ts";
import { SuppressionList, suppressionKeyBytes } from "../../outside/suppression.ts";
import { makeClient } from "../client.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, type Parsed, required } from "../options.ts";
import { type Output, plural, table } from "../output.ts";
import { suppressionKeyFromEnv } from "../suppression-key.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  source: { type: "string", field: "source" },
  suppression: { type: "string", field: "suppression" },
  scrub: { type: "boolean" },
};

/**
 * `guard-import`: reads a proposed import source against the suppression list before an import brings
 * erased users back; exit 6 when it holds any (or cannot be read whole), 0 when clean or scrubbed.
 */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const source = required(values, "source", "the import's s3:// key or folder");
  const suppression = required(values, "suppression", "the suppression list's s3://bucket/prefix/");
  const key = suppressionKeyFromEnv("guard-import");
  suppressionKeyBytes(key);
  const client = await makeClient(values, output);
  const list = await SuppressionList.load(client.s3, suppression, key);
  if (list.size === 0) {
    // A mistyped folder lists nothing, and against nothing every source passes.
    output.info(
      `warning: the suppression list ${suppression} holds no users (no objects under it): check --suppression; nothing can be found against an empty list`,
    );
  }
  let seen = 0;
  const report = await guardImport({
    s3: client.s3,
    source,
    suppression: list,
    scrub: values.scrub === true,
    onObject: () => output.progress(`read ${plural(++seen, "object version")}`, String(seen)),
  });
  output.done();
  const { failing, ...rest } = report;
  const result = { ...rest, suppressedUsers: list.size };
  output.result(result, () =>
    [
      report.objects.length === 0
        ? `${source}: ${report.reason ?? "no objects"}`
        : table(
            ["KEY", "VERSION", "BYTES", "ROWS", "SUPPRESSED ROWS", "STATE"],
            report.objects.map((o) => [
              o.key,
              o.noncurrent ? `${o.versionId ?? "null"} (older)` : (o.versionId ?? "-"),
              o.bytes,
              o.rows,
              o.matching,
              o.reason ? `${o.state}: ${o.reason}` : o.state,
            ]),
          ),
      "",
      summary(report, list.size),
    ].join("\n"),
  );
  return report.ok ? EXIT.ok : EXIT.suppressed;
}

function summary(report: Awaited<ReturnType<typeof guardImport>>, users: number): string {
  const against = `against ${plural(users, "suppressed user")}`;
  if (report.ok) {
    const scrubbed = report.objects.filter((o) => o.state === "scrubbed").length;
    return scrubbed > 0
      ? `ok ${against}: ${plural(scrubbed, "object version")} scrubbed; the source may be imported`
      : `ok ${against}: no current object holds a suppressed user; the source may be imported`;
  }
  if (report.reason) return `not ok: the source could not be read (${report.reason}); do not import it`;
  const unreadable = report.failing.filter((o) => o.state === "unreadable").length;
  const holding = report.failing.length - unreadable;
  const parts = [
    ...(holding > 0
      ? [`${plural(holding, "object")} with ${plural(report.suppressedRows, "row")} of suppressed users`]
      : []),
    ...(unreadable > 0 ? [`${plural(unreadable, "object")} could not be read`] : []),
  ];
  return `not ok ${against}: ${parts.join(", ")}; do not import it (--scrub removes those rows in place)`;
}
