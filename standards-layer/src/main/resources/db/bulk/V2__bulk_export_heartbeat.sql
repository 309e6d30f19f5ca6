-- When a job last showed life (its runner writes it as it goes): a job that stops showing life was lost with its
-- replica and is reported as failed; finished jobs and their files are deleted a day after they finish.
ALTER TABLE phr_bulk_export_job ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE;
