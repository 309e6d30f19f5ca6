package org.phrcloud.ledger.chain;

/** What happened to a resource version; the code is its byte in the canonical encoding. */
public enum Operation {
    CREATE(1), UPDATE(2), DELETE(3);

    final int code;

    Operation(int code) {
        this.code = code;
    }

    /** @throws IllegalArgumentException for a code that is not 1, 2 or 3 */
    public static Operation of(int code) {
        for (Operation o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        throw new IllegalArgumentException("PHR-LEDGER-0208: unknown operation code " + code);
    }
}
