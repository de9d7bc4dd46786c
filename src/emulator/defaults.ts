/** The emulator's defaults, in one place for the fetch handler, the servers and the CLI's `emulator`. */
export const EMULATOR_DEFAULTS = {
  host: "127.0.0.1",
  port: 4566,
  region: "us-east-1",
  accountId: "000000000000",
  accessKeyId: "test",
  secretAccessKey: "test",
  /** Seconds from CREATE to COMPLETED. */
  jobSeconds: 5,
  /** Seconds a solution version trains. */
  trainingSeconds: 3,
  /** Seconds a campaign update takes. */
  campaignSeconds: 2,
  /** PENDING jobs allowed per dataset group: the service's limit. */
  pendingLimit: 5,
  /** Largest input one job reads: the guide's 50 MB. */
  maxInputBytes: 50 * 1024 * 1024,
  datasetGroupName: "emulator-sample",
  bucket: "emulator-deletions",
} as const;
