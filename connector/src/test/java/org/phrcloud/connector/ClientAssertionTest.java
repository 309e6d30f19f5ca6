package org.phrcloud.connector;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAssertionTest {
    private static final String NORTH = "eip155:31337:0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static final String ST_MARY_ENDPOINT = "http://127.0.0.1:8080/";
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final ActingParty DOCTOR = new ActingParty("6f1c-user", "demo-practitioner", "practitioner", "2", "TREAT");

    private final ECKey key = generate("north-clinic-1");
    private final Map<String, JWKSet> published = Map.of(NORTH, new JWKSet(key.toPublicJWK()));

    private static ECKey generate(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String signed(ECKey with, String issuer, String audience, Instant at) throws Exception {
        return ClientAssertion.sign(with.toECPrivateKey(), with.getKeyID(), issuer, "http://127.0.0.1:35280/", audience, DOCTOR, at);
    }

    private ClientAssertion.Verified verify(String token, Instant now) throws InvalidAssertionException {
        return ClientAssertion.verify(token, ST_MARY_ENDPOINT, issuer -> Optional.ofNullable(published.get(issuer)), now);
    }

    @Test
    void anAssertionOfAnAdmittedInstitutionCarriesThePersonItActsFor() throws Exception {
        String token = signed(key, NORTH, ST_MARY_ENDPOINT, NOW);
        assertThat(ClientAssertion.isAssertion(token)).isTrue();
        ClientAssertion.Verified verified = verify(token, NOW.plusSeconds(60));
        assertThat(verified.issuer()).isEqualTo(NORTH);
        assertThat(verified.organizationId()).isEqualTo("http://127.0.0.1:35280/");
        assertThat(verified.expiresAt()).isEqualTo(Instant.parse("2026-12-07T10:05:00Z"));
        assertThat(verified.party()).isEqualTo(DOCTOR);
        assertThat(verified.jti()).hasSize(36);
        assertThat(verify(signed(key, NORTH, ST_MARY_ENDPOINT, NOW), NOW).jti()).as("a new jti per assertion").isNotEqualTo(verified.jti());
    }

    @Test
    void refusalsNameTheirReason() throws Exception {
        assertThatThrownBy(() -> verify("not a jwt", NOW)).hasMessageStartingWith("PHR-FEDERATION-0401");
        String stranger = "eip155:31337:0x90f79bf6eb2c4f870365e785982e1f101e93b906";
        assertThatThrownBy(() -> verify(signed(key, stranger, ST_MARY_ENDPOINT, NOW), NOW)).hasMessageStartingWith("PHR-FEDERATION-0403");
        assertThatThrownBy(() -> verify(signed(key, "north-clinic", ST_MARY_ENDPOINT, NOW), NOW)).hasMessageStartingWith("PHR-FEDERATION-0402");
        ECKey other = generate("north-clinic-1");
        assertThatThrownBy(() -> verify(signed(other, NORTH, ST_MARY_ENDPOINT, NOW), NOW)).as("same kid, another key")
                .hasMessageStartingWith("PHR-FEDERATION-0404");
        assertThatThrownBy(() -> verify(signed(generate("unknown-kid"), NORTH, ST_MARY_ENDPOINT, NOW), NOW)).hasMessageStartingWith("PHR-FEDERATION-0404");
        assertThatThrownBy(() -> verify(signed(key, NORTH, "http://127.0.0.1:35280/", NOW), NOW)).hasMessageStartingWith("PHR-FEDERATION-0405");
        assertThatThrownBy(() -> verify(signed(key, NORTH, ST_MARY_ENDPOINT, NOW), Instant.parse("2026-12-07T10:05:31Z")))
                .as("5 minutes and the 30 s of skew after").hasMessageStartingWith("PHR-FEDERATION-0407");
        assertThatThrownBy(() -> verify(signed(key, NORTH, ST_MARY_ENDPOINT, NOW), Instant.parse("2026-12-07T09:59:00Z")))
                .as("made a minute in the future").hasMessageStartingWith("PHR-FEDERATION-0407");
    }

    @Test
    void aRetiredKeySignsNothingAfterItsRetirement() throws Exception {
        ECKey retired = new ECKey.Builder(key).expirationTime(Date.from(Instant.parse("2026-12-07T09:00:00Z"))).build();
        Map<String, JWKSet> keys = Map.of(NORTH, new JWKSet(retired.toPublicJWK()));
        assertThatThrownBy(() -> ClientAssertion.verify(signed(key, NORTH, ST_MARY_ENDPOINT, NOW), ST_MARY_ENDPOINT,
                issuer -> Optional.ofNullable(keys.get(issuer)), NOW)).hasMessageStartingWith("PHR-FEDERATION-0404");
    }

    @Test
    void accountIdsAreCaip10() {
        assertThat(ClientAssertion.accountId(31337, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")).isEqualTo(NORTH);
        assertThat(ClientAssertion.address(NORTH)).contains("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
        assertThat(ClientAssertion.address("eip155:31337:st-mary")).isEmpty();
        assertThat(ClientAssertion.address("st-mary")).isEmpty();
    }
}
