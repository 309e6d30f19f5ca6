-- Per-patient chains (ledger-layer). Portable SQL for H2 2.x and PostgreSQL 13+.
-- ledger_head is the lock every append takes (SELECT ... FOR UPDATE): one writer per chain at a time.
CREATE TABLE ledger_head (
    pseudonym   CHAR(64)  NOT NULL PRIMARY KEY,
    height      BIGINT    NOT NULL,
    block_hash  BYTEA     NOT NULL
);

-- the block as its canonical encoding (Block, format 1) and the author institution's signature
CREATE TABLE ledger_block (
    pseudonym   CHAR(64)  NOT NULL,
    height      BIGINT    NOT NULL,
    block_hash  BYTEA     NOT NULL,
    encoding    BYTEA     NOT NULL,
    signature   BYTEA     NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (pseudonym, height)
);

-- the entries again, to find the latest entry of a resource without decoding blocks
CREATE TABLE ledger_entry (
    pseudonym      CHAR(64)     NOT NULL,
    height         BIGINT       NOT NULL,
    position       INT          NOT NULL,
    resource_type  VARCHAR(64)  NOT NULL,
    resource_id    VARCHAR(64)  NOT NULL,
    version_id     VARCHAR(32)  NOT NULL,
    operation      VARCHAR(8)   NOT NULL,
    content_hash   BYTEA        NOT NULL,
    PRIMARY KEY (pseudonym, height, position)
);
CREATE INDEX ledger_entry_resource ON ledger_entry (resource_type, resource_id);

-- blocks waiting to be anchored on chain (ARCHITECTURE.md write path step 5)
CREATE TABLE ledger_outbox (
    pseudonym    CHAR(64)  NOT NULL,
    height       BIGINT    NOT NULL,
    block_hash   BYTEA     NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    anchored_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (pseudonym, height)
);
CREATE INDEX ledger_outbox_pending ON ledger_outbox (anchored_at);
