-- When the queue consumer began writing the request's id into a window's batch file. From then on the
-- request can no longer be cancelled (a revoke answers too late): the id may already be in a file the
-- window's job reads, whether or not the ledger has recorded that file yet.
ALTER TABLE requests ADD COLUMN batching_at INTEGER;
