-- Custodians: family doctors who may decide about consents for a patient (e.g. a minor or a patient who cannot).
-- A custodian signs decisions with their own P-256 key, registered here; an admin links them to a patient.
CREATE TABLE phr_custodian_key (
    user_id        VARCHAR(128) NOT NULL PRIMARY KEY,
    username       VARCHAR(128) NOT NULL,
    public_key     BYTEA        NOT NULL,
    registered_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX phr_custodian_key_username ON phr_custodian_key (username);
CREATE TABLE phr_custodian (
    pseudonym      CHAR(64)     NOT NULL,
    user_id        VARCHAR(128) NOT NULL,
    since          TIMESTAMP WITH TIME ZONE NOT NULL,
    registered_by  VARCHAR(128) NOT NULL,
    PRIMARY KEY (pseudonym, user_id)
);
CREATE INDEX phr_custodian_user ON phr_custodian (user_id);
