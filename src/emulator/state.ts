import { md5, sha256HexSync } from "./digest.ts";
import { readImportRows, rowsAfterImport } from "./personalize/import-source.ts";
import { readDeletionInput } from "./personalize/input.ts";
import { type OutsideIO, outsideDue } from "./personalize/outside-clock.ts";
import { type DueEvent, World, type WorldData } from "./personalize/world.ts";
import type {
  EmulatorJob,
  InteractionRow,
  MultipartUpload,
  ObjectSource,
  StateOptions,
  StoredObject,
  Tag,
} from "./state-types.ts";
import { type VersioningData, Versions } from "./versioning.ts";

/** What a restart needs: everything but object bodies, which are stored by their SHA-256. */
export interface Snapshot {
  version: 1;
  seq: number;
  jobs: EmulatorJob[];
  datasetGroups: Record<string, InteractionRow[]>;
  buckets: Record<string, Record<string, Omit<StoredObject, "body">>>;
  /** Versioning status and every version kept (absent in older snapshots). */
  versioning?: VersioningData;
  /** Datasets, imports, solutions, versions, campaigns and batch jobs (absent in older snapshots). */
  world?: WorldData;
  /** The tags of every Personalize resource but the deletion jobs (which keep theirs), by ARN. */
  tags?: Record<string, Tag[]>;
}

/** The emulated Personalize and S3 state, with the job clock. Pure data and logic: no I/O. */
export class EmulatorState {
  seq = 0;
  readonly jobs: Map<string, EmulatorJob> = new Map();
  readonly datasetGroups: Map<string, InteractionRow[]> = new Map();
  readonly buckets: Map<string, Map<string, StoredObject>> = new Map();
  /** When each bucket was created (ListBuckets shows it). */
  readonly bucketCreated: Map<string, number> = new Map();
  readonly uploads: Map<string, MultipartUpload> = new Map();
  /** Each bucket's versioning status and versions, beside the current objects in `buckets`. */
  readonly versions: Versions = new Versions(this.buckets);
  /** What uses the dataset groups' data; an import takes as long as a deletion job. */
  readonly world: World;
  /** The tags of every Personalize resource but the deletion jobs (which keep theirs), by ARN. */
  private readonly tags: Map<string, Tag[]> = new Map();

  constructor(readonly options: StateOptions) {
    this.world = new World(
      {
        importSeconds: options.jobSeconds,
        trainingSeconds: options.trainingSeconds,
        campaignSeconds: options.campaignSeconds,
      },
      (resource) => `arn:aws:personalize:${options.region}:${options.accountId}:${resource}`,
      (job) =>
        readImportRows(this.source, job.dataLocation, this.world.datasets.get(job.datasetArn)?.datasetType),
      (arn, rows, mode) =>
        this.datasetGroups.set(arn, rowsAfterImport(this.datasetGroups.get(arn) ?? [], rows, mode)),
      (arn) => this.users(arn) ?? [],
      (arn) => [...new Set((this.datasetGroups.get(arn) ?? []).map((r) => r.itemId))].sort(),
    );
  }

  datasetGroupArn(name: string): string {
    return `arn:aws:personalize:${this.options.region}:${this.options.accountId}:dataset-group/${name}`;
  }

  jobArn(jobName: string): string {
    return `arn:aws:personalize:${this.options.region}:${this.options.accountId}:data-deletion-job/${jobName}`;
  }

  users(datasetGroupArn: string): string[] | undefined {
    const rows = this.datasetGroups.get(datasetGroupArn);
    return rows ? [...new Set(rows.map((r) => r.userId))].sort() : undefined;
  }

  /** Whether a Personalize resource with this ARN exists (what can carry tags). */
  hasResource(arn: string): boolean {
    const w = this.world;
    const all: Map<string, unknown>[] = [this.jobs, this.datasetGroups, w.datasets, w.imports];
    all.push(w.solutions, w.versions, w.campaigns, w.batchJobs, w.exportJobs);
    return all.some((resources) => resources.has(arn));
  }

  /** A resource's tags (none for one that has none or does not exist). */
  tagsOf(arn: string): Tag[] {
    return this.jobs.get(arn)?.tags ?? this.tags.get(arn) ?? [];
  }

  /** Replaces a resource's tags. */
  setTags(arn: string, tags: Tag[]): void {
    const job = this.jobs.get(arn);
    if (job) job.tags = tags;
    else this.tags.set(arn, tags);
  }

  pendingCount(datasetGroupArn: string): number {
    let n = 0;
    for (const job of this.jobs.values())
      if (job.datasetGroupArn === datasetGroupArn && job.status === "PENDING") n++;
    return n;
  }

  /** Where jobs read their input: the emulator's own S3 unless another one is set (`--s3-endpoint`). */
  source: ObjectSource = {
    list: async (bucket, prefix) => {
      const objects = this.buckets.get(bucket);
      return objects && [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    get: async (bucket, key) => this.buckets.get(bucket)?.get(key)?.body,
  };

  /**
   * Moves every job, import, training and campaign update along its clock, in the order things happened (a
   * deletion that finished before an import started does not remove the imported users); resolves with
   * whether anything changed.
   */
  async advance(now: number): Promise<boolean> {
    let changed = false;
    for (;;) {
      const events = [
        ...this.jobEvents(now),
        ...this.world.due(now),
        ...outsideDue(this.world, this.io, now),
      ];
      if (events.length === 0) return changed;
      const next = events.reduce((a, b) => (b.at < a.at ? b : a));
      await next.apply();
      changed = true;
    }
  }

  /** Puts an object the emulator itself writes (a job's output, a seed's file); false without the bucket. */
  writeObject(bucket: string, key: string, body: Uint8Array, contentType: string, at: number): boolean {
    if (!this.buckets.has(bucket)) return false;
    const object = {
      body,
      sha256: sha256HexSync(body),
      etag: md5(body),
      contentType,
      meta: {},
      lastModified: at,
    };
    this.versions.put(bucket, key, object);
    return true;
  }

  private readonly io: OutsideIO = {
    // Through `this.source` at each call: `--s3-endpoint` replaces it after construction.
    source: {
      list: (bucket, prefix) => this.source.list(bucket, prefix),
      get: (b, k) => this.source.get(b, k),
    },
    rowsOf: (arn) => this.datasetGroups.get(arn) ?? [],
    write: (...args) => this.writeObject(...args),
  };

  private jobEvents(now: number): DueEvent[] {
    const events: DueEvent[] = [];
    const total = this.options.jobSeconds * 1000;
    for (const job of this.jobs.values()) {
      if (job.status === "COMPLETED" || job.status === "FAILED") continue;
      const elapsed = now - job.createdAt;
      if (elapsed >= total) {
        events.push({ at: job.createdAt + total, apply: () => this.finish(job, job.createdAt + total) });
      } else if (job.status === "PENDING" && elapsed >= total / 3) {
        const at = job.createdAt + Math.floor(total / 3);
        events.push({
          at,
          apply: () => {
            job.status = "IN_PROGRESS";
            job.updatedAt = at;
          },
        });
      }
    }
    return events;
  }

  private async finish(job: EmulatorJob, at: number): Promise<void> {
    job.updatedAt = at;
    const outcome = await readDeletionInput(this.source, job.dataLocation, this.options.maxInputBytes);
    if ("failureReason" in outcome) {
      job.status = "FAILED";
      job.failureReason = outcome.failureReason;
      return;
    }
    // AWS documents numDeleted as "the number of records deleted": the dataset rows (here, interactions)
    // that referred to the users, not the number of users. An id the dataset group never had adds nothing.
    const rows = this.datasetGroups.get(job.datasetGroupArn) ?? [];
    const kept = rows.filter((r) => !outcome.userIds.has(r.userId));
    const deleted = rows.length - kept.length;
    this.datasetGroups.set(job.datasetGroupArn, kept);
    job.status = "COMPLETED";
    job.numDeleted = deleted;
  }

  snapshot(): Snapshot {
    const buckets: Snapshot["buckets"] = {};
    for (const [name, objects] of this.buckets) {
      buckets[name] = {};
      for (const [key, { body: _body, ...meta }] of objects)
        (buckets[name] as Record<string, unknown>)[key] = meta;
    }
    return {
      version: 1,
      seq: this.seq,
      jobs: [...this.jobs.values()],
      datasetGroups: Object.fromEntries(this.datasetGroups),
      buckets,
      versioning: this.versions.data(),
      world: this.world.data(),
      tags: Object.fromEntries(this.tags),
    };
  }

  /** Restores a snapshot; `bodyOf` returns an object's bytes by SHA-256. */
  restore(snapshot: Snapshot, bodyOf: (sha256: string) => Uint8Array): void {
    this.seq = snapshot.seq;
    this.jobs.clear();
    for (const job of snapshot.jobs) this.jobs.set(job.dataDeletionJobArn, job);
    this.tags.clear();
    for (const [arn, tags] of Object.entries(snapshot.tags ?? {})) this.tags.set(arn, tags);
    this.datasetGroups.clear();
    for (const [arn, rows] of Object.entries(snapshot.datasetGroups)) this.datasetGroups.set(arn, rows);
    if (snapshot.world) this.world.restore(snapshot.world);
    this.buckets.clear();
    for (const [name, objects] of Object.entries(snapshot.buckets)) {
      const bucket = new Map<string, StoredObject>();
      for (const [key, meta] of Object.entries(objects))
        bucket.set(key, { ...meta, body: bodyOf(meta.sha256) });
      this.bucketCreated.set(name, this.bucketCreated.get(name) ?? 0);
      this.buckets.set(name, bucket);
    }
    this.versions.restore(snapshot.versioning, bodyOf);
  }

  /** Every body an object or one of its versions refers to, by SHA-256 (what `--data-dir` must keep). */
  blobs(): Map<string, Uint8Array> {
    const blobs = new Map<string, Uint8Array>();
    for (const objects of this.buckets.values())
      for (const o of objects.values()) blobs.set(o.sha256, o.body);
    this.versions.addBlobs(blobs);
    return blobs;
  }
}
