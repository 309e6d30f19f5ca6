package org.phrcloud.identity.keys;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EcdsaP256Test {
    private static final byte[] MESSAGE = "a block hash".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTheRfc6979TestVectorForP256AndSha256() throws Exception {
        // RFC 6979 appendix A.2.5, ECDSA 256 bits (prime field), SHA-256, message "sample"
        ECPublicKey params = (ECPublicKey) EcdsaP256.generate().getPublic();
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(
                new BigInteger("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16), params.getParams()));

        byte[] signature = EcdsaP256.sign(key, "sample".getBytes(StandardCharsets.US_ASCII));

        assertThat(HexFormat.of().withUpperCase().formatHex(signature)).isEqualTo(
                "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
                        + "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
    }

    @Test
    void interoperatesWithTheJdkP1363FormatBothWays() throws Exception {
        KeyPair keys = EcdsaP256.generate();
        Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
        jdk.initVerify(keys.getPublic());
        jdk.update(MESSAGE);
        assertThat(jdk.verify(EcdsaP256.sign(keys.getPrivate(), MESSAGE))).isTrue();

        jdk.initSign(keys.getPrivate());
        jdk.update(MESSAGE);
        assertThat(EcdsaP256.verify(keys.getPublic(), MESSAGE, jdk.sign())).isTrue();
    }

    @Test
    void refusesWhatDoesNotVerify() throws Exception {
        KeyPair keys = EcdsaP256.generate();
        byte[] signature = EcdsaP256.sign(keys.getPrivate(), MESSAGE);
        assertThat(EcdsaP256.sign(keys.getPrivate(), MESSAGE)).isEqualTo(signature); // deterministic

        assertThat(EcdsaP256.verify(keys.getPublic(), "another hash".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(EcdsaP256.verify(EcdsaP256.generate().getPublic(), MESSAGE, signature)).isFalse();
        byte[] changed = signature.clone();
        changed[40] ^= 1;
        assertThat(EcdsaP256.verify(keys.getPublic(), MESSAGE, changed)).isFalse();
        assertThat(EcdsaP256.verify(keys.getPublic(), MESSAGE, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(EcdsaP256.verify(keys.getPublic(), MESSAGE, new byte[64])).isFalse();

        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair other = p384.generateKeyPair();
        assertThatThrownBy(() -> EcdsaP256.sign(other.getPrivate(), MESSAGE)).hasMessageStartingWith("PHR-IDENTITY-0110");
        assertThat(EcdsaP256.verify(other.getPublic(), MESSAGE, signature)).isFalse();
    }
}
