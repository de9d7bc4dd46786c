-- The erasure ledger: every request with its legal deadline, the windows that accumulate requests into
-- few deletion jobs, the batch files written into each window, and the jobs. It is the record of each
-- request and its response that CCPA's regulations (11 CCR 7101) ask to keep for 24 months: keep it. It
-- never holds a user id: `user_hash` is an HMAC of the id under the LEDGER_KEY secret, for look-ups.

CREATE TABLE windows (
  id TEXT PRIMARY KEY,
  dataset_group TEXT NOT NULL,
  folder TEXT NOT NULL,
  -- open (takes batches) > full (at the size cap) > closing (no more batches; its job is being made)
  -- > submitted > complete | deleted (without RETRAIN) | failed
  status TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  job_name TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  stage TEXT,
  receipt_key TEXT,
  completed_at INTEGER
);
-- At most one open window per dataset group.
CREATE UNIQUE INDEX windows_one_open ON windows (dataset_group) WHERE status = 'open';
CREATE INDEX windows_by_status ON windows (dataset_group, status);

CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  window_id TEXT NOT NULL REFERENCES windows (id),
  object_key TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE jobs (
  job_name TEXT PRIMARY KEY,
  window_id TEXT NOT NULL REFERENCES windows (id),
  job_arn TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  dataset_group TEXT NOT NULL,
  user_hash TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  deadline_at INTEGER NOT NULL,
  -- received > queued > in_window > submitted > completed | deleted | failed; lost: never queued
  status TEXT NOT NULL,
  window_id TEXT REFERENCES windows (id),
  completed_at INTEGER,
  receipt_key TEXT,
  failure TEXT
);
CREATE INDEX requests_by_window ON requests (window_id);
CREATE INDEX requests_by_deadline ON requests (status, deadline_at);
CREATE INDEX requests_by_user ON requests (user_hash);
