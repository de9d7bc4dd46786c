-- Each closed window's erasure runs as a Workflow instance (its id the window's job name). The ledger stays
-- the record: Workflow state expires, the receipts and deadlines must not. When the cron first started the
-- window's workflow, and how often it ran a stopped one (errored, terminated) again from its first step.
ALTER TABLE windows ADD COLUMN workflow_started_at INTEGER;
ALTER TABLE windows ADD COLUMN workflow_restarts INTEGER NOT NULL DEFAULT 0;
