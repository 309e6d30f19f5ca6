-- The index of consents the FHIR authorization reads on every request. FHIR Consent resources are the source of
-- truth; each row is written in the same transaction as its Consent (ConsentService).
CREATE TABLE phr_consent (
    consent_id      VARCHAR(64)   NOT NULL PRIMARY KEY,
    task_id         VARCHAR(64)   NOT NULL,
    pseudonym       CHAR(64)      NOT NULL,
    patient_id      VARCHAR(64)   NOT NULL,
    grantee_kind    VARCHAR(16)   NOT NULL,
    grantee_id      VARCHAR(128)  NOT NULL,
    requester       VARCHAR(128)  NOT NULL,
    requester_name  VARCHAR(128)  NOT NULL,
    resource_types  VARCHAR(2000) NOT NULL,
    access_level    VARCHAR(16)   NOT NULL,
    purpose         VARCHAR(16)   NOT NULL,
    period_start    TIMESTAMP WITH TIME ZONE NOT NULL,
    period_end      TIMESTAMP WITH TIME ZONE NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    requested_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    decided_at      TIMESTAMP WITH TIME ZONE,
    decided_by      VARCHAR(128)
);
CREATE INDEX phr_consent_grantee ON phr_consent (grantee_kind, grantee_id, status);
CREATE INDEX phr_consent_pseudonym ON phr_consent (pseudonym);
CREATE INDEX phr_consent_requester ON phr_consent (requester);
