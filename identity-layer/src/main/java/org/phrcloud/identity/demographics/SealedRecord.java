package org.phrcloud.identity.demographics;

/**
 * An encrypted record as stored: what {@link EnvelopeCipher} returns and takes back.
 *
 * @param masterKeyId the id of the master key that wrapped the data key
 * @param wrappedKey  the record's AES-256 data key, wrapped with AES Key Wrap (RFC 3394), 40 bytes
 * @param iv          the 12-byte AES-GCM nonce
 * @param ciphertext  AES-256-GCM ciphertext with its 16-byte tag appended
 */
public record SealedRecord(String masterKeyId, byte[] wrappedKey, byte[] iv, byte[] ciphertext) {
    private static final byte FORMAT_1 = 1;

    /**
     * The stored form without the key id (kept in a column of its own, so that rotation can find records):
     * {@code 0x01 | len(wrappedKey) (1 byte) | wrappedKey | iv (12 bytes) | ciphertext}.
     */
    public byte[] toBytes() {
        byte[] out = new byte[2 + wrappedKey.length + iv.length + ciphertext.length];
        out[0] = FORMAT_1;
        out[1] = (byte) wrappedKey.length;
        System.arraycopy(wrappedKey, 0, out, 2, wrappedKey.length);
        System.arraycopy(iv, 0, out, 2 + wrappedKey.length, iv.length);
        System.arraycopy(ciphertext, 0, out, 2 + wrappedKey.length + iv.length, ciphertext.length);
        return out;
    }

    /**
     * @throws IllegalArgumentException if the bytes are not {@link #toBytes()} output of format 1
     */
    public static SealedRecord fromBytes(String masterKeyId, byte[] stored) {
        if (stored.length < 2 || stored[0] != FORMAT_1 || stored.length < 2 + (stored[1] & 0xff) + 12 + 16) {
            throw new IllegalArgumentException("PHR-IDENTITY-0215: not a sealed record of format 1");
        }
        int wrapped = stored[1] & 0xff;
        return new SealedRecord(masterKeyId, java.util.Arrays.copyOfRange(stored, 2, 2 + wrapped),
                java.util.Arrays.copyOfRange(stored, 2 + wrapped, 14 + wrapped),
                java.util.Arrays.copyOfRange(stored, 14 + wrapped, stored.length));
    }
}
