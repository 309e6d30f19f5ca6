package org.phrcloud.identity.demographics;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Envelope encryption of a record (NIST SP 800-57 part 1, key-wrapping keys): every record gets its own
 * random AES-256 data key; the record is encrypted with AES-256-GCM (NIST SP 800-38D) under that key,
 * bound to additional data that names what it belongs to (for example the pseudonym), and the data key
 * is wrapped by the current master key with AES Key Wrap (RFC 3394). Rotating a master key re-wraps data
 * keys only ({@link #rewrap}); the record ciphertext stays as it is.
 */
public final class EnvelopeCipher {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MasterKeyRing masterKeys;

    public EnvelopeCipher(MasterKeyRing masterKeys) {
        this.masterKeys = masterKeys;
    }

    /**
     * @param plaintext      the record, e.g. demographics as JSON
     * @param additionalData authenticated but not encrypted; the same bytes are needed to open it
     */
    public SealedRecord seal(byte[] plaintext, byte[] additionalData) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            SecretKey dataKey = generator.generateKey();
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(128, iv));
            aes.updateAAD(additionalData);
            byte[] ciphertext = aes.doFinal(plaintext);
            return new SealedRecord(masterKeys.currentId(), wrap(dataKey, masterKeys.current()), iv, ciphertext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PHR-IDENTITY-0210: cannot encrypt a record", e);
        }
    }

    /**
     * @throws RecordIntegrityException if the ciphertext, the wrapped key or the additional data were altered
     */
    public byte[] open(SealedRecord record, byte[] additionalData) throws RecordIntegrityException {
        try {
            SecretKey dataKey = unwrap(record.wrappedKey(), masterKeys.get(record.masterKeyId()));
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(128, record.iv()));
            aes.updateAAD(additionalData);
            return aes.doFinal(record.ciphertext());
        } catch (AEADBadTagException | java.security.InvalidKeyException e) {
            throw new RecordIntegrityException("PHR-IDENTITY-0211: the record or its key was altered", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PHR-IDENTITY-0212: cannot decrypt a record", e);
        }
    }

    /** @return the same record with its data key wrapped by the current master key */
    public SealedRecord rewrap(SealedRecord record) throws RecordIntegrityException {
        if (record.masterKeyId().equals(masterKeys.currentId())) {
            return record;
        }
        try {
            SecretKey dataKey = unwrap(record.wrappedKey(), masterKeys.get(record.masterKeyId()));
            return new SealedRecord(masterKeys.currentId(), wrap(dataKey, masterKeys.current()), record.iv(), record.ciphertext());
        } catch (java.security.InvalidKeyException e) {
            throw new RecordIntegrityException("PHR-IDENTITY-0213: the wrapped data key was altered", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PHR-IDENTITY-0214: cannot re-wrap a data key", e);
        }
    }

    private static byte[] wrap(SecretKey dataKey, SecretKey masterKey) throws GeneralSecurityException {
        Cipher kw = Cipher.getInstance("AESWrap");
        kw.init(Cipher.WRAP_MODE, masterKey);
        return kw.wrap(dataKey);
    }

    private static SecretKey unwrap(byte[] wrapped, SecretKey masterKey) throws GeneralSecurityException {
        Cipher kw = Cipher.getInstance("AESWrap");
        kw.init(Cipher.UNWRAP_MODE, masterKey);
        return (SecretKey) kw.unwrap(wrapped, "AES", Cipher.SECRET_KEY);
    }

    /** A sealed record does not authenticate: altered, or opened with other additional data. */
    public static final class RecordIntegrityException extends Exception {
        public RecordIntegrityException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
