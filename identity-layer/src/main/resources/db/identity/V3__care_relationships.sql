-- Institutions where a person had an encounter: their care givers may treat them like their own patients.
CREATE TABLE mpi_care_relationship (
    pseudonym    CHAR(64)     NOT NULL REFERENCES mpi_identity (pseudonym),
    institution  VARCHAR(64)  NOT NULL,
    since        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (pseudonym, institution)
);
CREATE INDEX mpi_care_relationship_institution ON mpi_care_relationship (institution);
