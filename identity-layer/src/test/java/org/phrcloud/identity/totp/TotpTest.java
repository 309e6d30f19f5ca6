package org.phrcloud.identity.totp;

import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TotpTest {

    /** RFC 6238 appendix B, SHA-1 seed "12345678901234567890": 94287082 at T=59 s, 8 digits; we use the last 6. */
    @Test
    void matchesRfc6238TestVector() {
        String secret = new Base32().encodeAsString("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
        assertThat(Totp.code(secret, Instant.ofEpochSecond(59))).isEqualTo("287082");
        assertThat(Totp.code(secret, Instant.ofEpochSecond(1111111109))).isEqualTo("081804");
        assertThat(Totp.code(secret, Instant.ofEpochSecond(2000000000))).isEqualTo("279037");
    }

    @Test
    void keycloakValueIsTheTextBehindTheBase32() {
        String secret = Totp.newBase32Secret();
        String value = Totp.keycloakSecretValue(secret);
        assertThat(value).hasSize(20).matches("[A-Z0-9]+");
        assertThat(new Base32().encodeAsString(value.getBytes(StandardCharsets.UTF_8))).isEqualTo(secret);
        assertThat(Totp.newBase32Secret()).isNotEqualTo(secret);
    }

    @Test
    void otpauthUriCarriesSecretAndPolicy() {
        String uri = Totp.otpauthUri("PHR Cloud", "demo-patient", "GEZDGNBVGY3TQOJQ");
        assertThat(uri).startsWith("otpauth://totp/PHR%20Cloud%3Ademo-patient?secret=GEZDGNBVGY3TQOJQ")
                .contains("issuer=PHR%20Cloud").contains("digits=6").contains("period=30");
    }
}
