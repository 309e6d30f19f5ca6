-- Research data sets (/api/research): the request, the job's progress and what it released.
-- The released records themselves live in the data set's own database (one H2 file per data set under phr.research.dir).
CREATE TABLE phr_research_dataset (
    id              VARCHAR(36)              NOT NULL PRIMARY KEY,
    researcher      VARCHAR(255)             NOT NULL,
    researcher_name VARCHAR(255)             NOT NULL,
    study_id        VARCHAR(64)              NOT NULL,
    requested_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at     TIMESTAMP WITH TIME ZONE,
    status          VARCHAR(16)              NOT NULL,
    phase           VARCHAR(32)              NOT NULL,
    percent         INTEGER                  NOT NULL,
    request_id      VARCHAR(255)             NOT NULL,
    request         TEXT                     NOT NULL,
    result          TEXT,
    error           TEXT,
    db_password     VARCHAR(64)
);
CREATE INDEX phr_research_dataset_researcher ON phr_research_dataset (researcher, requested_at);
