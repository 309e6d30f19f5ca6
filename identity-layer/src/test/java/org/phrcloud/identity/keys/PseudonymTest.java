package org.phrcloud.identity.keys;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PseudonymTest {
    @Test
    void isTheHexSha256OfTheDerSubjectPublicKeyInfo() throws Exception {
        KeyPair keys = EcdsaP256.generate();
        byte[] spki = keys.getPublic().getEncoded();
        assertThat(spki).hasSize(91); // DER SubjectPublicKeyInfo of an uncompressed P-256 point
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        assertThat(Pseudonym.of(keys.getPublic()).value()).isEqualTo(expected).hasSize(64);
        assertThat(Pseudonym.of(EcdsaP256.publicKey(spki))).isEqualTo(Pseudonym.of(keys.getPublic()));
    }

    @Test
    void differentKeysGiveDifferentPseudonyms() {
        assertThat(Pseudonym.of(EcdsaP256.generate().getPublic())).isNotEqualTo(Pseudonym.of(EcdsaP256.generate().getPublic()));
    }

    @Test
    void refusesAnythingButSixtyFourLowercaseHexCharacters() {
        assertThatThrownBy(() -> new Pseudonym("ABC")).hasMessageStartingWith("PHR-IDENTITY-0101");
        assertThatThrownBy(() -> new Pseudonym("G".repeat(64))).hasMessageStartingWith("PHR-IDENTITY-0101");
    }
}
