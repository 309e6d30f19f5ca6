-- Moving a chain's home (ARCHITECTURE.md "Federation", moving a patient's home). At the former home: the move, with
-- the patient's signed request; no block is appended to a moved chain here. At the new home: the institutions that kept
-- the chain before, each up to the height it handed over, so that the blocks they signed with their own key ids and the
-- records they named by their own ids are found with them.
CREATE TABLE ledger_chain_move (
    pseudonym    CHAR(64)      NOT NULL PRIMARY KEY,
    moved_to     VARCHAR(128)  NOT NULL,
    height       BIGINT        NOT NULL,
    document     TEXT          NOT NULL,
    signature    BYTEA         NOT NULL,
    moved_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE ledger_former_home (
    pseudonym       CHAR(64)      NOT NULL,
    through_height  BIGINT        NOT NULL,
    institution     VARCHAR(128)  NOT NULL,
    PRIMARY KEY (pseudonym, through_height)
);
