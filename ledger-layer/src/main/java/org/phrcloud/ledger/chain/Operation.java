package org.phrcloud.ledger.chain;

/** What happened to a resource version; the code is its byte in the canonical encoding. */
public enum Operation {
    CREATE(1), UPDATE(2), DELETE(3);

    final int code;

    Operation(int code) {
        this.code = code;
    }
}
