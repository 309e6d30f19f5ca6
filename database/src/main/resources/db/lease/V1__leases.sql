-- Leases: which replica runs a background task that must run once across replicas (anchoring, audit sealing).
-- One row per task; a holder renews its lease before it runs out; another takes it only once it has run out.
CREATE TABLE phr_lease (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    holder     VARCHAR(200) NOT NULL,
    expires_at TIMESTAMP    NOT NULL
);
