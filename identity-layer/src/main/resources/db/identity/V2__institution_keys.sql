-- Signing keys of institutions (ECDSA P-256). The private key is sealed with EnvelopeCipher (additional data:
-- the key id); retired keys stay published so that old signatures remain verifiable.
CREATE TABLE institution_key (
    key_id              VARCHAR(64)  NOT NULL PRIMARY KEY,
    institution         VARCHAR(64)  NOT NULL,
    public_key          BYTEA        NOT NULL,
    private_key_key_id  VARCHAR(64)  NOT NULL,
    private_key         BYTEA        NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    retired_at          TIMESTAMP WITH TIME ZONE
);
CREATE INDEX institution_key_institution ON institution_key (institution);
