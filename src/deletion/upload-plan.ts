import type { Clock } from "../aws/poll.ts";
import { formatS3Uri, type S3Location } from "../aws/s3.ts";
import { partName } from "./names.ts";

/** One deletion file to upload: where it goes, and the name of the job that reads it. */
export interface PlannedPart {
  key: string;
  dataLocation: string;
  jobName: string;
}

/** A short unique-enough suffix: UTC time to the second and 6 random base-36 characters. */
export function uniqueSuffix(clock: Pick<Clock, "now" | "random">): string {
  const time = new Date(clock.now()).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const random = Math.floor(clock.random() * 36 ** 6)
    .toString(36)
    .padStart(6, "0");
  return `${time}-${random}`;
}

/**
 * Plans `count` files at `target`. One file keeps the name `stem`: the key `stem.csv` under a prefix, the
 * given key otherwise. A split list's parts add `-part-N` to the job name and to the key (before `.csv`).
 */
export function planParts(target: S3Location, count: number, stem: string): PlannedPart[] {
  const { key, isPrefix } = target;
  const base = isPrefix ? `${key}${stem}` : key.replace(/\.csv$/i, "");
  return Array.from({ length: count }, (_, i) => {
    const jobName = count === 1 ? stem : partName(stem, i + 1);
    const partKey = count === 1 && !isPrefix ? key : `${base}${jobName.slice(stem.length)}.csv`;
    return { key: partKey, dataLocation: formatS3Uri(target.bucket, partKey), jobName };
  });
}
