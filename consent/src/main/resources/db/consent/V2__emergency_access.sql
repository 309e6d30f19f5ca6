-- Emergency access (purpose ETREAT): declared by a care giver, so there is no Task; the reason they gave and the
-- FHIR Communication that notified the patient.
ALTER TABLE phr_consent ALTER COLUMN task_id DROP NOT NULL;
ALTER TABLE phr_consent ADD COLUMN emergency_reason VARCHAR(1000);
ALTER TABLE phr_consent ADD COLUMN notice_id VARCHAR(64);
