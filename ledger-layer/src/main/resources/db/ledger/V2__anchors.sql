-- Anchors: one transaction per interval with ONE Merkle root over the chain heads changed since the last anchor.
-- An anchor is recorded with its signed transaction BEFORE it is sent, so that after a crash it is re-checked or
-- re-sent (same nonce, same hash) and never made twice.
CREATE TABLE ledger_anchor (
    id                BIGINT        NOT NULL PRIMARY KEY,
    root              BYTEA         NOT NULL,
    tree_size         INT           NOT NULL,
    chain_id          BIGINT        NOT NULL,
    contract          VARCHAR(42)   NOT NULL,
    sender            VARCHAR(42)   NOT NULL,
    nonce             BIGINT        NOT NULL,
    tx_hash           VARCHAR(66)   NOT NULL,
    signed_tx         TEXT          NOT NULL,
    status            VARCHAR(12)   NOT NULL,
    block_number      BIGINT,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    confirmed_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ledger_anchor_status ON ledger_anchor (status);

-- the leaves of an anchor's tree, in order: pseudonym | height | block hash of each chain head
CREATE TABLE ledger_anchor_leaf (
    anchor_id   BIGINT    NOT NULL,
    leaf_index  INT       NOT NULL,
    pseudonym   CHAR(64)  NOT NULL,
    height      BIGINT    NOT NULL,
    block_hash  BYTEA     NOT NULL,
    PRIMARY KEY (anchor_id, leaf_index)
);
CREATE INDEX ledger_anchor_leaf_chain ON ledger_anchor_leaf (pseudonym, height);

ALTER TABLE ledger_outbox ADD COLUMN anchor_id BIGINT;
