// Property-based tests (fast-check): for any input the validators, the CSV preparer and the paginator
// either succeed with a correct result or throw the project's own typed error; never a TypeError or a hang.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import Papa from "papaparse";
import { createEmulator, emulatorFetch } from "../../src/emulator/index.ts";
import {
  CreateDataDeletionJobInputSchema,
  CsvError,
  DataDeletionJobsClient,
  ListDataDeletionJobsInputSchema,
  prepareDeletionCsv,
  serializeUserIds,
  ValidationError,
  validate,
} from "../../src/index.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const readIds = (files: Uint8Array[]) =>
  files.flatMap((f) =>
    Papa.parse<string[]>(decode(f), { delimiter: ",", skipEmptyLines: true })
      .data.slice(1)
      .map((r) => r[0] as string),
  );

// Ids drawn from characters that make CSV interesting: quotes, commas, spaces, formula starts, unicode.
const idChar = fc.constantFrom(
  "a",
  "b",
  "Z",
  "0",
  "9",
  '"',
  ",",
  " ",
  "=",
  "+",
  "@",
  "-",
  "é",
  "日",
  "\t",
  "\n",
  "\u0000",
  "\uFEFF",
);
const id = fc.array(idChar, { maxLength: 12 }).map((cs) => cs.join(""));
// The same without control characters, so most runs produce a file instead of a CsvError.
const safeId = fc
  .array(fc.constantFrom("a", "b", "Z", "0", '"', ",", " ", "=", "+", "@", "é", "日", "\uFEFF"), {
    maxLength: 12,
  })
  .map((cs) => cs.join(""));

// What an exact preparation keeps, written independently of the code under test: the ids in first-seen
// order without duplicates; empty ones dropped; a padded one refuses the whole list unless trimming.
function expectedIds(ids: string[], trimIds: boolean): string[] | "refused" {
  if (!trimIds && ids.some((i) => i !== "" && i.trim() !== i)) return "refused";
  return [...new Set(ids.map((i) => (trimIds ? i.trim() : i)).filter(Boolean))];
}

describe("serializer and CSV preparer", () => {
  test("parse(prepare(ids)) is the unique non-empty ids exactly as given (trimmed only under trimIds), or a CsvError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(safeId, { maxLength: 40 }),
        fc.integer({ min: 64, max: 400 }),
        fc.boolean(),
        async (ids, maxFileBytes, trimIds) => {
          const expected = expectedIds(ids, trimIds);
          let out: Awaited<ReturnType<typeof serializeUserIds>>;
          try {
            out = await serializeUserIds(ids, { maxFileBytes, trimIds });
          } catch (error) {
            expect(error).toBeInstanceOf(CsvError);
            // Refused only for a padded id, or a line too long for the file.
            expect(expected === "refused" || expected.length === 0 || ids.some((i) => i.length > 20)).toBe(
              true,
            );
            return;
          }
          expect(expected).not.toBe("refused");
          expect(readIds(out.files)).toEqual(expected as string[]);
          expect(out.trimmedCount).toBe(
            trimIds ? ids.filter((i) => i.trim() !== i && i.trim() !== "").length : 0,
          );
          expect(out.userCount).toBe(expected.length);
          for (const file of out.files) expect(file.length).toBeLessThanOrEqual(maxFileBytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a long list streamed in random chunks: first occurrences in order, files within maxFileBytes", async () => {
    // Hundreds of short ids from a small alphabet: many duplicates, lines split across chunks, and several
    // files, so duplicates are settled in batches and across file boundaries.
    const plain = fc.array(fc.constantFrom("a", "b", "c", "7", " "), { minLength: 1, maxLength: 3 });
    const entry = fc.oneof(
      { weight: 9, arbitrary: plain.map((cs) => cs.join("")) },
      { weight: 1, arbitrary: safeId },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 600 }),
        fc.integer({ min: 64, max: 2000 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (ids, maxFileBytes, cuts, trimIds) => {
          const bytes = new TextEncoder().encode(
            Papa.unparse(
              { fields: ["USER_ID", "SOURCE"], data: ids.map((i) => [i, "x"]) },
              { newline: "\n" },
            ),
          );
          let at = 0;
          let c = 0;
          const stream = new ReadableStream<Uint8Array>({
            pull(controller) {
              if (at >= bytes.length) return controller.close();
              const size = cuts[c++ % cuts.length] as number;
              controller.enqueue(bytes.slice(at, at + size));
              at += size;
            },
          });
          const expected = expectedIds(ids, trimIds);
          let out: Awaited<ReturnType<typeof prepareDeletionCsv>>;
          try {
            out = await prepareDeletionCsv(stream, { maxFileBytes, trimIds });
          } catch (error) {
            expect(error).toBeInstanceOf(CsvError);
            expect(expected === "refused" || expected.length === 0 || ids.some((i) => i.length > 20)).toBe(
              true,
            );
            return;
          }
          expect(expected).not.toBe("refused");
          const kept = expected as string[];
          expect(readIds(out.files)).toEqual(kept);
          expect(out.userCount).toBe(kept.length);
          const given = trimIds ? ids.filter((i) => i.trim() !== "") : ids.filter((i) => i !== "");
          expect(out.duplicateCount).toBe(given.length - kept.length);
          expect(out.bytes).toBe(out.files.reduce((n, f) => n + f.length, 0));
          for (const file of out.files) {
            expect(file.length).toBeLessThanOrEqual(maxFileBytes);
            expect(decode(file.subarray(0, 8))).toBe("USER_ID\n");
          }
          // The byte path and the string path agree to the byte.
          const serialized = await serializeUserIds(ids, { maxFileBytes, trimIds });
          expect(serialized.files).toEqual(out.files);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("prepareDeletionCsv on arbitrary text never throws anything but CsvError", async () => {
    const text = fc
      .array(fc.oneof(idChar, fc.constantFrom("USER_ID", "\r\n", "\n", ",", '"')), { maxLength: 60 })
      .map((p) => p.join(""));
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom(false, true, "auto" as const), async (input, headerless) => {
        try {
          const out = await prepareDeletionCsv(input, { headerless });
          // Nothing is trimmed, so whatever is kept had nothing to trim.
          for (const id of readIds(out.files)) expect(id).toBe(id.trim());
        } catch (error) {
          expect(error).toBeInstanceOf(CsvError);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("prepareDeletionCsv round-trips a CSV written by papaparse", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(id, id), { minLength: 1, maxLength: 30 }), async (rows) => {
        const csv = Papa.unparse(
          { fields: ["OTHER", "USER_ID"], data: rows.map(([o, u]) => [o, u]) },
          { newline: "\n" },
        );
        const expected = expectedIds(
          rows.map(([, u]) => u),
          false,
        );
        try {
          const out = await prepareDeletionCsv(csv);
          expect(readIds(out.files)).toEqual(expected as string[]);
        } catch (error) {
          expect(error).toBeInstanceOf(CsvError);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused on purpose
          const control = rows.some(([, u]) => /[\u0000-\u001f\u007f]/.test(u));
          if (expected !== "refused" && !control) expect(expected.length).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("validators", () => {
  test("any value is either a valid input or a ValidationError naming a path", () => {
    const anyInput = fc.oneof(
      fc.anything(),
      fc.record({
        jobName: fc.oneof(fc.string(), fc.constant("ok-name")),
        datasetGroupArn: fc.oneof(
          fc.string(),
          fc.constant("arn:aws:personalize:us-east-1:123456789012:dataset-group/x"),
        ),
        dataSource: fc.oneof(
          fc.anything(),
          fc.record({ dataLocation: fc.oneof(fc.string(), fc.constant("s3://bucket/k.csv")) }),
        ),
        roleArn: fc.oneof(fc.string(), fc.constant("arn:aws:iam::123456789012:role/r")),
        tags: fc.array(fc.record({ tagKey: fc.string(), tagValue: fc.string() }), { maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(anyInput, (input) => {
        for (const schema of [CreateDataDeletionJobInputSchema, ListDataDeletionJobsInputSchema]) {
          try {
            validate(schema as never, input);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).issues.length).toBeGreaterThan(0);
            expect((error as ValidationError).message.length).toBeLessThan(2000);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

function emulatorWithJobs(count: number) {
  const emulator = createEmulator({ jobSeconds: 0 });
  for (let i = 0; i < count; i++) {
    emulator.state.jobs.set(`arn-${i}`, {
      seq: ++emulator.state.seq,
      jobName: `j${i}`,
      dataDeletionJobArn: `arn:aws:personalize:us-east-1:000000000000:data-deletion-job/j${i}`,
      datasetGroupArn: emulator.datasetGroupArn,
      dataLocation: "s3://b/k.csv",
      roleArn: "r",
      tags: [],
      status: "COMPLETED",
      createdAt: 0,
      updatedAt: 0,
    });
  }
  const client = new DataDeletionJobsClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: "http://emulator.test",
    fetch: emulatorFetch(emulator),
    useEnvironment: false,
  });
  return { emulator, client };
}

describe("pagination", () => {
  test("every job exactly once, newest first, for any job count and page size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 100 }),
        async (count, pageSize) => {
          const { emulator, client } = emulatorWithJobs(count);
          const names: string[] = [];
          for await (const job of client.paginateDataDeletionJobs({
            datasetGroupArn: emulator.datasetGroupArn,
            pageSize,
          }))
            names.push(job.jobName as string);
          expect(names).toEqual(Array.from({ length: count }, (_, i) => `j${count - 1 - i}`));
        },
      ),
      { numRuns: 40 },
    );
  });

  test("10,000 jobs are each returned exactly once, in order", async () => {
    const { emulator, client } = emulatorWithJobs(10_000);
    let expected = 9_999;
    let n = 0;
    for await (const job of client.paginateDataDeletionJobs({ datasetGroupArn: emulator.datasetGroupArn })) {
      expect(job.jobName).toBe(`j${expected--}`);
      n++;
    }
    expect(n).toBe(10_000);
  }, 60_000);
});
