-- Client assertions of other institutions seen until they expire (RFC 7523 section 3, item 7: jti used once).
-- A second use of the same (issuer, jti) fails on the primary key: every replica shares this table.
CREATE TABLE phr_federation_assertion (
    issuer     VARCHAR(100)             NOT NULL,
    jti        VARCHAR(200)             NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX phr_federation_assertion_expiry ON phr_federation_assertion (expires_at);
