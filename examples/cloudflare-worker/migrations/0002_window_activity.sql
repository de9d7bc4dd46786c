-- When a window last took a batch: the cron submits a window once intake has paused (WINDOW_IDLE_SECONDS)
-- or it has been open long enough (WINDOW_MAX_SECONDS), so a burst becomes one job, not one per tick.
ALTER TABLE windows ADD COLUMN last_batch_at INTEGER;
