-- Each batch file's SHA-256: a window's job is tagged with a digest of its files (erasure-sha256), so a job
-- of the same name made from anything else is refused, never adopted in its place.
ALTER TABLE batches ADD COLUMN sha256 TEXT;
-- Why a window failed (a job of its name made from another list, a failed job), shown with its requests.
ALTER TABLE windows ADD COLUMN failure TEXT;
-- requests.status gains `lost` for a message that exhausted its retries (the dead-letter queue), besides
-- one never queued: either way not erased, and said so.
