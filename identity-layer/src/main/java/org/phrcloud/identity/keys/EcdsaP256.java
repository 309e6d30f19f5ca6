package org.phrcloud.identity.keys;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * ECDSA on NIST P-256 with SHA-256 (FIPS 186-5), the one signature scheme for patients, institutions and
 * blocks. Signatures are in the IEEE P1363 form (r || s, 64 bytes) that WebCrypto produces and expects
 * (W3C Web Cryptography API, ECDSA section), so a browser and the server can verify each other.
 * Keys travel as DER: SubjectPublicKeyInfo (X.509) for public keys, PKCS#8 for private keys.
 */
public final class EcdsaP256 {
    private static final String SIGNATURE = "SHA256withECDSAinP1363Format";

    private EcdsaP256() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is part of every Java 17 platform", e);
        }
    }

    /** @return the 64-byte P1363 signature of the message */
    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance(SIGNATURE);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PHR-IDENTITY-0110: cannot sign with this key", e);
        }
    }

    /** @return true only if the signature is a valid P1363 ECDSA P-256 signature of the message by the key */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(SIGNATURE);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** @throws InvalidKeySpecException if the bytes are not a DER SubjectPublicKeyInfo of an EC key */
    public static PublicKey publicKey(byte[] subjectPublicKeyInfo) throws InvalidKeySpecException {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws InvalidKeySpecException if the bytes are not a DER PKCS#8 EC private key */
    public static PrivateKey privateKey(byte[] pkcs8) throws InvalidKeySpecException {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
