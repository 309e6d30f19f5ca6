-- Which server replica runs a data set's job: a replica that restarts fails only its own unfinished jobs, never
-- those another replica is running (several replicas on one PostgreSQL).
ALTER TABLE phr_research_dataset ADD COLUMN runner VARCHAR(200);
