package org.phrcloud.identity.demographics;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlindIndexTest {
    private static final byte[] KEY = Arrays.copyOf("a test key of at least thirty-two bytes".getBytes(StandardCharsets.US_ASCII), 32);
    private final BlindIndex index = new BlindIndex(KEY);

    @Test
    void equalIdentifiersGiveEqualValuesAfterNormalization() {
        String a = index.of("urn:oid:1.2.410.100", "840302-2123456");
        assertThat(index.of("urn:oid:1.2.410.100", " 840302 2123456 ")).isEqualTo(a);
        assertThat(index.of("urn:oid:1.2.410.100", "８４０３０２-２１２３４５６")).isEqualTo(a); // full-width digits (NFKC)
        assertThat(a).hasSize(64).doesNotContain("840302");
    }

    @Test
    void systemAndKeyAreBothPartOfTheValue() {
        String a = index.of("urn:oid:1.2.410.100", "MRN-1");
        assertThat(index.of("urn:phr:hospital-a:mrn", "MRN-1")).isNotEqualTo(a);
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertThat(new BlindIndex(otherKey).of("urn:oid:1.2.410.100", "MRN-1")).isNotEqualTo(a);
        assertThat(index.of("urn:oid:1.2.410.100", "mrn1")).isEqualTo(a);
    }

    @Test
    void refusesShortKeys() {
        assertThatThrownBy(() -> new BlindIndex(new byte[16])).hasMessageStartingWith("PHR-IDENTITY-0220");
    }
}
