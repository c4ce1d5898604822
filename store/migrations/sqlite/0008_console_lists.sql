-- The console pages through its lists: submissions newest first, and the
-- outbox by state, newest first.
CREATE INDEX submissions_received ON submissions (received_at);
CREATE INDEX outbox_state ON outbox (state);

-- The night's run that processed a submission, or rejected it when its
-- night came: the run holding the batch lock when the night recorded it,
-- so a night's page can list its files. Submissions settled before this
-- column are matched to the run by the time the night stamped on both.
ALTER TABLE submissions ADD COLUMN run_id INTEGER REFERENCES batch_runs(id);
UPDATE submissions SET run_id = (SELECT r.id FROM batch_runs r WHERE r.started_at = submissions.decided_at ORDER BY r.id LIMIT 1)
	WHERE state = 'processed' OR (state = 'rejected' AND reason LIKE 'not processed: %');
CREATE INDEX submissions_run ON submissions (run_id) WHERE run_id IS NOT NULL;

-- Every attempt to send a mail, across an operator's retries; attempts
-- counts those since the last retry (against smtp.max_attempts).
ALTER TABLE outbox ADD COLUMN total_attempts INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET total_attempts = attempts;
