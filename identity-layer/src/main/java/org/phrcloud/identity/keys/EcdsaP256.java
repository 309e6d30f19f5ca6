package org.phrcloud.identity.keys;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * ECDSA on NIST P-256 with SHA-256 (FIPS 186-5), the one signature scheme for patients, institutions and
 * blocks. Signatures are in the IEEE P1363 form (r || s, 64 bytes) that WebCrypto produces and expects
 * (W3C Web Cryptography API, ECDSA section), so a browser and the server can verify each other.
 * Keys travel as DER: SubjectPublicKeyInfo (X.509) for public keys, PKCS#8 for private keys.
 *
 * <p>Signing and verification run on BouncyCastle's lightweight ECDSA with its constant-time P-256 curve;
 * signatures are deterministic (RFC 6979 nonces from HMAC-SHA256), so signing needs no random source. Keys are
 * ordinary JCA keys, generated and decoded by the JDK.
 */
public final class EcdsaP256 {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(),
            CURVE.getH());

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

    /**
     * @return the 64-byte P1363 signature (r || s, each 32 bytes big-endian) of SHA-256 of the message
     * @throws IllegalArgumentException if the key is not a P-256 private key
     */
    public static byte[] sign(PrivateKey key, byte[] message) {
        if (!(key instanceof ECPrivateKey ec) || !DOMAIN.getN().equals(ec.getParams().getOrder())) {
            throw new IllegalArgumentException("PHR-IDENTITY-0110: cannot sign with this key: not a P-256 private key");
        }
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(ec.getS(), DOMAIN));
        BigInteger[] rs = signer.generateSignature(sha256(message));
        byte[] signature = new byte[64];
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[0]), 0, signature, 0, 32);
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[1]), 0, signature, 32, 32);
        return signature;
    }

    /** @return true only if the signature is a valid P1363 ECDSA P-256 signature of the message by the key */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (!(key instanceof ECPublicKey ec) || !DOMAIN.getN().equals(ec.getParams().getOrder()) || signature == null
                || signature.length != 64) {
            return false;
        }
        try {
            ECPoint q = DOMAIN.getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY());
            if (!q.isValid()) {
                return false;
            }
            ECDSASigner verifier = new ECDSASigner();
            verifier.init(false, new ECPublicKeyParameters(q, DOMAIN));
            return verifier.verifySignature(sha256(message), BigIntegers.fromUnsignedByteArray(signature, 0, 32),
                    BigIntegers.fromUnsignedByteArray(signature, 32, 32));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] message) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(message);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
