-- Bulk Data exports (HL7 FHIR Bulk Data Access IG 2.0): one row per kick-off, one per NDJSON file it produced.
-- Kept in the database so that any replica answers the polling and the downloads; the job runs on the replica
-- that accepted the kick-off.
CREATE TABLE phr_bulk_export_job (
    id               VARCHAR(36)              NOT NULL PRIMARY KEY,
    owner_subject    VARCHAR(255)             NOT NULL,
    request_url      TEXT                     NOT NULL,
    level            VARCHAR(16)              NOT NULL,
    status           VARCHAR(16)              NOT NULL,
    progress         VARCHAR(255),
    error            TEXT,
    transaction_time TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at      TIMESTAMP WITH TIME ZONE
);

CREATE TABLE phr_bulk_export_file (
    job_id        VARCHAR(36)  NOT NULL REFERENCES phr_bulk_export_job (id) ON DELETE CASCADE,
    seq           INTEGER      NOT NULL,
    resource_type VARCHAR(64)  NOT NULL,
    is_error      BOOLEAN      NOT NULL,
    line_count    INTEGER      NOT NULL,
    patient_ids   TEXT         NOT NULL,
    content       TEXT         NOT NULL,
    PRIMARY KEY (job_id, seq)
);
