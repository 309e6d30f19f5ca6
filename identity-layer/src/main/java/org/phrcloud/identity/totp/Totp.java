package org.phrcloud.identity.totp;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import org.apache.commons.codec.binary.Base32;

import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * TOTP as Keycloak's default OTP policy uses it (RFC 6238: HMAC-SHA1, 6 digits, 30 s step).
 *
 * <p>A secret has two spellings. Authenticator apps take the <em>Base32</em> text (RFC 4648, as in
 * {@code otpauth://} URIs). Keycloak stores the secret as text and keys the HMAC with that text's UTF-8
 * bytes; {@link #keycloakSecretValue(String)} converts the one into the other. Secrets made here are
 * alphanumeric ASCII, so both spellings are lossless.
 */
public final class Totp {
    public static final Duration PERIOD = Duration.ofSeconds(30);
    public static final int DIGITS = 6;
    public static final String ALGORITHM = "HmacSHA1";

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Totp() {
    }

    /** @return a new secret in Base32, from 20 random alphanumeric characters (as Keycloak makes them) */
    public static String newBase32Secret() {
        StringBuilder raw = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            raw.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return new Base32().encodeAsString(raw.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** @return the text Keycloak stores as the OTP credential's {@code secretData.value} */
    public static String keycloakSecretValue(String base32Secret) {
        return new String(new Base32().decode(base32Secret), StandardCharsets.UTF_8);
    }

    /**
     * @param base32Secret the secret as an authenticator app takes it
     * @param at           the instant whose 30 s time step is used
     * @return the 6-digit code, zero-padded
     */
    public static String code(String base32Secret, Instant at) {
        try {
            var generator = new TimeBasedOneTimePasswordGenerator(PERIOD, DIGITS, ALGORITHM);
            var key = new SecretKeySpec(new Base32().decode(base32Secret), ALGORITHM);
            return generator.generateOneTimePasswordString(key, at);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("PHR-IDENTITY-0001: unusable TOTP secret", e);
        }
    }

    /** @return an {@code otpauth://totp/} URI (Google Authenticator key URI format) for enrolment in an app */
    public static String otpauthUri(String issuer, String account, String base32Secret) {
        String label = URLEncoder.encode(issuer + ":" + account, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + base32Secret.replace("=", "")
                + "&issuer=" + URLEncoder.encode(issuer, StandardCharsets.UTF_8).replace("+", "%20")
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + PERIOD.toSeconds();
    }

    /** Prints the current code for a Base32 secret: {@code java ... Totp SECRET}. Used by {@code ./phr totp}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: Totp BASE32_SECRET");
            System.exit(2);
        }
        System.out.println(code(args[0], Instant.now()));
    }
}
