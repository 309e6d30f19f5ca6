package org.phrcloud.identity.keys;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The file that carries a patient's private key to the patient, encrypted under their passphrase. The
 * server keeps only the public key; the file can be decrypted by the server-side code here or in the
 * browser with WebCrypto ({@code deriveKey} PBKDF2 + {@code decrypt} AES-GCM + {@code importKey} pkcs8).
 *
 * <h2>Format, version 1 (JSON, UTF-8)</h2>
 * <pre>
 * {
 *   "format": "phr-patient-key",  "version": 1,
 *   "pseudonym":  hex SHA-256 of publicKey (see {@link Pseudonym}),
 *   "publicKey":  base64 DER SubjectPublicKeyInfo (RFC 5280) of the ECDSA P-256 key,
 *   "kdf":    { "name": "PBKDF2-HMAC-SHA256", "iterations": 600000, "salt": base64 of 16 random bytes },
 *   "cipher": { "name": "AES-256-GCM", "iv": base64 of 12 random bytes },
 *   "ciphertext": base64 of AES-256-GCM(key = PBKDF2(passphrase UTF-8, salt, iterations, 256 bits),
 *                                      plaintext = DER PKCS#8 private key,
 *                                      additional data = the pseudonym's ASCII bytes), tag (128 bits) appended
 * }
 * </pre>
 * PBKDF2 follows RFC 8018 section 5.2; the iteration count is OWASP's 2023 figure for HMAC-SHA256.
 * AES-GCM follows NIST SP 800-38D. The pseudonym as additional data binds the file to its identity:
 * a ciphertext moved into another patient's file does not decrypt.
 */
public final class PatientKeyFile {
    public static final String FORMAT = "phr-patient-key";
    public static final int VERSION = 1;
    public static final int ITERATIONS = 600_000;
    /** The fewest PBKDF2 iterations a file may declare. */
    static final int MIN_ITERATIONS = 100_000;
    /**
     * The most PBKDF2 iterations a file may declare: 10 times {@link #ITERATIONS}, seconds of CPU; a file
     * declaring up to 2^31 would keep whatever decrypts it busy for hours.
     */
    static final int MAX_ITERATIONS = 6_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The JSON document. */
    public record Document(@JsonProperty("format") String format, @JsonProperty("version") int version,
                           @JsonProperty("pseudonym") String pseudonym, @JsonProperty("publicKey") String publicKey,
                           @JsonProperty("kdf") Kdf kdf, @JsonProperty("cipher") CipherParams cipher,
                           @JsonProperty("ciphertext") String ciphertext) {
    }

    public record Kdf(@JsonProperty("name") String name, @JsonProperty("iterations") int iterations,
                      @JsonProperty("salt") String salt) {
    }

    public record CipherParams(@JsonProperty("name") String name, @JsonProperty("iv") String iv) {
    }

    private PatientKeyFile() {
    }

    /**
     * @param keys       an ECDSA P-256 key pair
     * @param passphrase the patient's passphrase (not kept; the caller should clear the array)
     * @return the key file as JSON text
     */
    public static String encrypt(KeyPair keys, char[] passphrase) {
        return encrypt(keys, passphrase, ITERATIONS);
    }

    static String encrypt(KeyPair keys, char[] passphrase, int iterations) {
        byte[] salt = random(16);
        byte[] iv = random(12);
        Pseudonym pseudonym = Pseudonym.of(keys.getPublic());
        byte[] pkcs8 = keys.getPrivate().getEncoded();
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, derive(passphrase, salt, iterations), new GCMParameterSpec(128, iv));
            aes.updateAAD(pseudonym.value().getBytes(StandardCharsets.US_ASCII));
            byte[] ciphertext = aes.doFinal(pkcs8);
            Base64.Encoder b64 = Base64.getEncoder();
            return JSON.writeValueAsString(new Document(FORMAT, VERSION, pseudonym.value(),
                    b64.encodeToString(keys.getPublic().getEncoded()),
                    new Kdf("PBKDF2-HMAC-SHA256", iterations, b64.encodeToString(salt)),
                    new CipherParams("AES-256-GCM", b64.encodeToString(iv)),
                    b64.encodeToString(ciphertext)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("PHR-IDENTITY-0120: cannot write the key file", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** @return the public key the file declares (no passphrase needed) */
    public static PublicKey publicKey(String json) throws KeyFileException {
        Document doc = parse(json);
        try {
            PublicKey key = EcdsaP256.publicKey(Base64.getDecoder().decode(doc.publicKey()));
            if (!Pseudonym.of(key).value().equals(doc.pseudonym())) {
                throw new KeyFileException("PHR-IDENTITY-0121: the key file's pseudonym does not match its public key");
            }
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyFileException("PHR-IDENTITY-0122: the key file's public key is not an EC key", e);
        }
    }

    /**
     * @return the patient's private key
     * @throws KeyFileException for a wrong passphrase, a tampered file or an unknown format
     */
    public static PrivateKey decrypt(String json, char[] passphrase) throws KeyFileException {
        Document doc = parse(json);
        publicKey(json);
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] pkcs8 = null;
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, derive(passphrase, b64.decode(doc.kdf().salt()), doc.kdf().iterations()),
                    new GCMParameterSpec(128, b64.decode(doc.cipher().iv())));
            aes.updateAAD(doc.pseudonym().getBytes(StandardCharsets.US_ASCII));
            byte[] ciphertext = b64.decode(doc.ciphertext());
            if (ciphertext.length < 16) {
                // shorter than its tag: the JDK's AES-GCM fails with a ProviderException, not a GeneralSecurityException
                throw new KeyFileException("PHR-IDENTITY-0124: the key file cannot be decrypted");
            }
            pkcs8 = aes.doFinal(ciphertext);
            return EcdsaP256.privateKey(pkcs8);
        } catch (AEADBadTagException e) {
            throw new KeyFileException("PHR-IDENTITY-0123: wrong passphrase, or the key file was altered", e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyFileException("PHR-IDENTITY-0124: the key file cannot be decrypted", e);
        } finally {
            if (pkcs8 != null) {
                Arrays.fill(pkcs8, (byte) 0);
            }
        }
    }

    private static Document parse(String json) throws KeyFileException {
        Document doc;
        try {
            doc = JSON.readValue(json, Document.class);
        } catch (IOException e) {
            throw new KeyFileException("PHR-IDENTITY-0125: not a PHR key file", e);
        }
        if (doc == null || !FORMAT.equals(doc.format()) || doc.version() != VERSION || doc.kdf() == null || doc.cipher() == null
                || !"PBKDF2-HMAC-SHA256".equals(doc.kdf().name()) || !"AES-256-GCM".equals(doc.cipher().name())
                || doc.kdf().iterations() < MIN_ITERATIONS || doc.kdf().iterations() > MAX_ITERATIONS
                || doc.pseudonym() == null || doc.publicKey() == null || doc.kdf().salt() == null || doc.cipher().iv() == null
                || doc.ciphertext() == null) {
            throw new KeyFileException("PHR-IDENTITY-0126: unsupported key file format or parameters");
        }
        return doc;
    }

    private static SecretKeySpec derive(char[] passphrase, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return new SecretKeySpec(key, "AES");
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The key file is malformed, altered, or the passphrase is wrong. Messages carry a PHR-IDENTITY code. */
    public static final class KeyFileException extends Exception {
        public KeyFileException(String message) {
            super(message);
        }

        public KeyFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
