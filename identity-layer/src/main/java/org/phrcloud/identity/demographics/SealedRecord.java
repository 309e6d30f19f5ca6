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
}
