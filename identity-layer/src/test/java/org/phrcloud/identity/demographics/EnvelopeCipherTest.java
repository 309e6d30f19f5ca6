package org.phrcloud.identity.demographics;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeCipherTest {
    private static final byte[] DEMOGRAPHICS = "{\"family\":\"Kim\",\"given\":\"Minji\",\"birthDate\":\"1984-03-02\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] AAD = "pseudonym-of-the-patient".getBytes(StandardCharsets.US_ASCII);

    private static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private final String k1 = randomKey();
    private final String k2 = randomKey();

    @Test
    void sealsAndOpensWithEveryRecordUnderItsOwnDataKey() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(MasterKeyRing.parse("k1:" + k1, "k1"));
        SealedRecord a = cipher.seal(DEMOGRAPHICS, AAD);
        SealedRecord b = cipher.seal(DEMOGRAPHICS, AAD);

        assertThat(new String(a.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("Kim").doesNotContain("1984");
        assertThat(a.wrappedKey()).hasSize(40).isNotEqualTo(b.wrappedKey());
        assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
        assertThat(cipher.open(a, AAD)).isEqualTo(DEMOGRAPHICS);
    }

    @Test
    void alteredCiphertextOrOtherAdditionalDataIsRefused() {
        EnvelopeCipher cipher = new EnvelopeCipher(MasterKeyRing.parse("k1:" + k1, "k1"));
        SealedRecord sealed = cipher.seal(DEMOGRAPHICS, AAD);
        byte[] altered = sealed.ciphertext().clone();
        altered[3] ^= 1;
        assertThatThrownBy(() -> cipher.open(new SealedRecord("k1", sealed.wrappedKey(), sealed.iv(), altered), AAD))
                .hasMessageStartingWith("PHR-IDENTITY-0211");
        assertThatThrownBy(() -> cipher.open(sealed, "another-patient".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageStartingWith("PHR-IDENTITY-0211");
    }

    @Test
    void rotationRewrapsTheDataKeyAndOldRecordsStillOpen() throws Exception {
        SealedRecord old = new EnvelopeCipher(MasterKeyRing.parse("k1:" + k1, "k1")).seal(DEMOGRAPHICS, AAD);
        EnvelopeCipher rotated = new EnvelopeCipher(MasterKeyRing.parse("k1:" + k1 + ",k2:" + k2, "k2"));

        assertThat(rotated.open(old, AAD)).isEqualTo(DEMOGRAPHICS);
        SealedRecord rewrapped = rotated.rewrap(old);
        assertThat(rewrapped.masterKeyId()).isEqualTo("k2");
        assertThat(rewrapped.ciphertext()).isEqualTo(old.ciphertext());
        assertThat(new EnvelopeCipher(MasterKeyRing.parse("k2:" + k2, "k2")).open(rewrapped, AAD)).isEqualTo(DEMOGRAPHICS);
        assertThat(rotated.seal(DEMOGRAPHICS, AAD).masterKeyId()).isEqualTo("k2");
    }

    @Test
    void badKeyConfigurationIsRefused() {
        assertThatThrownBy(() -> MasterKeyRing.parse("k1:" + Base64.getEncoder().encodeToString(new byte[16]), "k1"))
                .hasMessageStartingWith("PHR-IDENTITY-0203");
        assertThatThrownBy(() -> MasterKeyRing.parse("k1:" + k1, "k9")).hasMessageStartingWith("PHR-IDENTITY-0201");
        assertThatThrownBy(() -> MasterKeyRing.parse("k1:" + k1 + ",k1:" + k2, "k1")).hasMessageStartingWith("PHR-IDENTITY-0204");
        assertThatThrownBy(() -> MasterKeyRing.parse("nokey", "k1")).hasMessageStartingWith("PHR-IDENTITY-0202");
    }
}
