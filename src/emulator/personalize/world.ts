// The emulator's model of what uses a dataset group's data: datasets and their imports, solutions and their
// versions, campaigns, batch jobs. A solution version is a snapshot of the users present when its training
// started; a deletion job changes datasets, not snapshots; a campaign serves one version at a time. So the
// gap the guide warns about (users gone from the datasets, still in the model a campaign serves) shows, and
// a retrain and campaign update close it.

/** Seconds each kind of work takes in the emulator. */
export interface WorldTimings {
  /** A dataset import job, CREATE PENDING to ACTIVE. */
  importSeconds: number;
  /** A solution version's training. */
  trainingSeconds: number;
  /** A campaign update. */
  campaignSeconds: number;
}

/** A dataset group's own record (its rows are the state's). */
export interface WorldDatasetGroup {
  datasetGroupArn: string;
  name: string;
  createdAt: number;
}

/** A dataset of a dataset group. */
export interface WorldDataset {
  datasetArn: string;
  name: string;
  datasetType: string;
  datasetGroupArn: string;
  createdAt: number;
}

/** A dataset import job: its rows replace (FULL) or join (INCREMENTAL) the dataset group's when it is ACTIVE. */
export interface WorldImport {
  seq: number;
  datasetImportJobArn: string;
  jobName: string;
  datasetArn: string;
  dataLocation: string;
  roleArn?: string;
  importMode: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  failureReason?: string;
}

/** A custom solution. */
export interface WorldSolution {
  solutionArn: string;
  name: string;
  datasetGroupArn: string;
  recipeArn: string;
  createdAt: number;
}

/** A solution version: the users it was trained on are frozen in `users`. */
export interface WorldVersion {
  seq: number;
  solutionVersionArn: string;
  solutionArn: string;
  name?: string;
  trainingMode: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  users: string[];
  /** The items it was trained on, which batch inference recommends (absent in older snapshots). */
  items?: string[];
  failureReason?: string;
}

/** A campaign and its latest update, if any. */
export interface WorldCampaign {
  campaignArn: string;
  name: string;
  solutionArn: string;
  solutionVersionArn: string;
  syncWithLatestSolutionVersion: boolean;
  status: string;
  createdAt: number;
  updatedAt: number;
  update?: { solutionVersionArn: string; status: string; createdAt: number; updatedAt: number };
  /** Every version an update was started to, in order (AWS keeps no such list; tests count moves here). */
  moves: string[];
}

/** A batch inference or batch segment job: its output in S3 may hold user ids. */
export interface WorldBatchJob {
  arn: string;
  kind: "inference" | "segment";
  jobName: string;
  solutionVersionArn: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  /** `jobInput.s3DataSource.path` and `jobOutput.s3DataDestination.path` (absent on older seeded jobs). */
  input?: string;
  output?: string;
  roleArn?: string;
  numResults?: number;
  failureReason?: string;
}

/** A dataset export job: the dataset's rows as CSV under `output` once it is ACTIVE. */
export interface WorldExport {
  datasetExportJobArn: string;
  jobName: string;
  datasetArn: string;
  ingestionMode: string;
  roleArn: string;
  output: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  failureReason?: string;
}

/** Everything of the world, as a snapshot stores it. */
export interface WorldData {
  /** Absent in older snapshots: each group then dates from its first dataset. */
  datasetGroups?: WorldDatasetGroup[];
  datasets: WorldDataset[];
  imports: WorldImport[];
  solutions: WorldSolution[];
  versions: WorldVersion[];
  campaigns: WorldCampaign[];
  batchJobs: WorldBatchJob[];
  exportJobs?: WorldExport[];
}

/** A change due at a time: the state applies them in time order. */
export interface DueEvent {
  at: number;
  apply(): Promise<void> | void;
}

/** The world of every dataset group of the emulator, with the clock of its work. */
export class World {
  seq = 0;
  datasetGroups: Map<string, WorldDatasetGroup> = new Map();
  datasets: Map<string, WorldDataset> = new Map();
  imports: Map<string, WorldImport> = new Map();
  solutions: Map<string, WorldSolution> = new Map();
  versions: Map<string, WorldVersion> = new Map();
  campaigns: Map<string, WorldCampaign> = new Map();
  batchJobs: Map<string, WorldBatchJob> = new Map();
  exportJobs: Map<string, WorldExport> = new Map();

  constructor(
    readonly timings: WorldTimings,
    /** The ARN of a resource of this account and region, from its type and name (`campaign/name`). */
    readonly arn: (resource: string) => string,
    /** Reads an import's rows; `undefined` with a reason when it cannot. */
    private readonly importRows: (
      job: WorldImport,
    ) => Promise<{ userId: string; itemId: string; timestamp: number }[] | { failureReason: string }>,
    /** Puts an ACTIVE import's rows into the dataset group, as its `importMode` says (FULL replaces). */
    private readonly addRows: (
      datasetGroupArn: string,
      rows: { userId: string; itemId: string; timestamp: number }[],
      importMode: string,
    ) => void,
    private readonly usersOf: (datasetGroupArn: string) => string[],
    private readonly itemsOf: (datasetGroupArn: string) => string[] = () => [],
  ) {}

  /** Starts a training: the snapshot of the dataset group's users is taken now. */
  train(
    solutionArn: string,
    datasetGroupArn: string,
    trainingMode: string,
    at: number,
    name: string | undefined,
  ): WorldVersion {
    const id = (++this.seq).toString(16).padStart(8, "0");
    const version: WorldVersion = {
      seq: this.seq,
      solutionVersionArn: `${solutionArn}/${id}`,
      solutionArn,
      ...(name !== undefined && { name }),
      trainingMode,
      status: "CREATE PENDING",
      createdAt: at,
      updatedAt: at,
      users: this.usersOf(datasetGroupArn),
      items: this.itemsOf(datasetGroupArn),
    };
    this.versions.set(version.solutionVersionArn, version);
    return version;
  }

  /** Starts a campaign update to `solutionVersionArn`. */
  updateCampaign(campaign: WorldCampaign, solutionVersionArn: string, at: number): void {
    campaign.update = { solutionVersionArn, status: "CREATE PENDING", createdAt: at, updatedAt: at };
    campaign.updatedAt = at;
    campaign.moves.push(solutionVersionArn);
  }

  /** Every change due by now, in no order (the state sorts them with the deletion jobs'). */
  due(now: number): DueEvent[] {
    const events: DueEvent[] = [];
    const step = (
      item: { status: string; createdAt: number; updatedAt: number },
      seconds: number,
      pending: string,
      running: string,
      done: () => Promise<void> | void,
    ) => {
      const total = seconds * 1000;
      if (item.status === pending && total > 0 && now >= item.createdAt + total / 3) {
        events.push({
          at: item.createdAt + Math.floor(total / 3),
          apply: () => {
            item.status = running;
            item.updatedAt = item.createdAt + Math.floor(total / 3);
          },
        });
      } else if ((item.status === pending || item.status === running) && now >= item.createdAt + total) {
        events.push({
          at: item.createdAt + total,
          apply: () => {
            item.updatedAt = item.createdAt + total;
            return done();
          },
        });
      }
    };
    for (const job of this.imports.values()) {
      step(job, this.timings.importSeconds, "CREATE PENDING", "CREATE IN_PROGRESS", async () => {
        const rows = await this.importRows(job);
        if ("failureReason" in rows) {
          job.status = "CREATE FAILED";
          job.failureReason = rows.failureReason;
          return;
        }
        const dataset = this.datasets.get(job.datasetArn);
        // The dataset group's rows are its interactions: an import into its items or users leaves them.
        if (dataset?.datasetType === "Interactions") {
          this.addRows(dataset.datasetGroupArn, rows, job.importMode);
        }
        job.status = "ACTIVE";
      });
    }
    for (const version of this.versions.values()) {
      step(version, this.timings.trainingSeconds, "CREATE PENDING", "CREATE IN_PROGRESS", () => {
        version.status = "ACTIVE";
        // Campaigns that follow the latest version start their own update to it.
        for (const campaign of this.campaigns.values()) {
          if (campaign.solutionArn === version.solutionArn && campaign.syncWithLatestSolutionVersion) {
            this.updateCampaign(campaign, version.solutionVersionArn, version.updatedAt);
          }
        }
      });
    }
    for (const campaign of this.campaigns.values()) {
      const update = campaign.update;
      if (!update) continue;
      step(update, this.timings.campaignSeconds, "CREATE PENDING", "CREATE IN_PROGRESS", () => {
        update.status = "ACTIVE";
        campaign.solutionVersionArn = update.solutionVersionArn;
        campaign.updatedAt = update.updatedAt;
      });
    }
    return events;
  }

  /** The world as plain data, for a snapshot. */
  data(): WorldData {
    return {
      datasetGroups: [...this.datasetGroups.values()],
      datasets: [...this.datasets.values()],
      imports: [...this.imports.values()],
      solutions: [...this.solutions.values()],
      versions: [...this.versions.values()],
      campaigns: [...this.campaigns.values()],
      batchJobs: [...this.batchJobs.values()],
      exportJobs: [...this.exportJobs.values()],
    };
  }

  /** Restores a snapshot's world. */
  restore(data: WorldData): void {
    const keyed = <T>(items: T[], key: (item: T) => string) => new Map(items.map((i) => [key(i), i]));
    this.datasets = keyed(data.datasets, (d) => d.datasetArn);
    const groups = data.datasetGroups ?? [];
    for (const d of data.datasets) {
      if (groups.some((g) => g.datasetGroupArn === d.datasetGroupArn)) continue;
      const name = d.datasetGroupArn.split("/").pop() as string;
      groups.push({ datasetGroupArn: d.datasetGroupArn, name, createdAt: d.createdAt });
    }
    this.datasetGroups = keyed(groups, (g) => g.datasetGroupArn);
    this.imports = keyed(data.imports, (d) => d.datasetImportJobArn);
    this.solutions = keyed(data.solutions, (d) => d.solutionArn);
    this.versions = keyed(data.versions, (d) => d.solutionVersionArn);
    this.campaigns = keyed(
      data.campaigns.map((c) => ({ ...c, moves: c.moves ?? [] })),
      (d) => d.campaignArn,
    );
    this.batchJobs = keyed(data.batchJobs, (d) => d.arn);
    this.exportJobs = keyed(data.exportJobs ?? [], (d) => d.datasetExportJobArn);
    this.seq = Math.max(0, ...data.versions.map((v) => v.seq), ...data.imports.map((i) => i.seq));
  }
}
