package org.phrcloud.consent;

import org.junit.jupiter.api.Test;
import org.phrcloud.identity.keys.EcdsaP256;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecisionDocumentTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00.750Z");
    private static final ConsentTerms TERMS = new ConsentTerms(List.of("Observation", "Condition", "Observation"), AccessLevel.FULL,
            "TREAT", START, START.plusSeconds(86_400));
    private static final Grantee DOCTOR = new Grantee(Grantee.Kind.PERSON, "4f1c-kc-user");
    private static final String PSEUDONYM = "ab".repeat(32);

    @Test
    void theDocumentIsRfc8785CanonicalJsonWithSortedTypesAndWholeSeconds() {
        String text = new String(DecisionDocument.of("42", PSEUDONYM, DOCTOR, TERMS, Decision.APPROVE), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("{\"consent\":\"42\",\"decision\":\"approve\",\"format\":\"phr-consent-decision/1\","
                + "\"grantee\":{\"id\":\"4f1c-kc-user\",\"kind\":\"person\"},\"level\":\"full\",\"patient\":\"" + PSEUDONYM + "\","
                + "\"period\":{\"end\":\"2026-11-25T10:00:00Z\",\"start\":\"2026-11-24T10:00:00Z\"},\"purpose\":\"TREAT\","
                + "\"resourceTypes\":[\"Condition\",\"Observation\"]}");
    }

    @Test
    void onlyThePatientsSignatureOfExactlyThisDecisionVerifies() {
        KeyPair patient = EcdsaP256.generate();
        byte[] publicKey = patient.getPublic().getEncoded();
        byte[] approve = DecisionDocument.of("42", PSEUDONYM, DOCTOR, TERMS, Decision.APPROVE);
        byte[] signature = EcdsaP256.sign(patient.getPrivate(), approve);
        assertThat(DecisionDocument.verify(publicKey, approve, signature)).isTrue();

        assertThat(DecisionDocument.verify(publicKey, DecisionDocument.of("42", PSEUDONYM, DOCTOR, TERMS, Decision.REVOKE), signature)).isFalse();
        assertThat(DecisionDocument.verify(publicKey, DecisionDocument.of("43", PSEUDONYM, DOCTOR, TERMS, Decision.APPROVE), signature)).isFalse();
        ConsentTerms wider = new ConsentTerms(List.of("Condition", "Observation"), AccessLevel.FULL, "TREAT", START, START.plusSeconds(2 * 86_400));
        assertThat(DecisionDocument.verify(publicKey, DecisionDocument.of("42", PSEUDONYM, DOCTOR, wider, Decision.APPROVE), signature)).isFalse();
        assertThat(DecisionDocument.verify(EcdsaP256.generate().getPublic().getEncoded(), approve, signature)).isFalse();
        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertThat(DecisionDocument.verify(publicKey, approve, flipped)).isFalse();
        assertThat(DecisionDocument.verify(publicKey, approve, new byte[63])).isFalse();
        assertThat(DecisionDocument.verify(new byte[]{1, 2, 3}, approve, signature)).isFalse();
    }

    @Test
    void termsAreCheckedWhenMade() {
        assertThatThrownBy(() -> new ConsentTerms(List.of(), AccessLevel.FULL, "TREAT", START, START.plusSeconds(1)))
                .hasMessageStartingWith("PHR-CONSENT-0102");
        assertThatThrownBy(() -> new ConsentTerms(List.of("Observation"), AccessLevel.NONE, "TREAT", START, START.plusSeconds(1)))
                .hasMessageStartingWith("PHR-CONSENT-0103");
        assertThatThrownBy(() -> new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "PUBHLTH", START, START.plusSeconds(1)))
                .hasMessageStartingWith("PHR-CONSENT-0104");
        assertThatThrownBy(() -> new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "ETREAT", START, START.plusSeconds(1)))
                .as("an emergency access covers every type").hasMessageStartingWith("PHR-CONSENT-0106");
        assertThatThrownBy(() -> new ConsentTerms(List.of("*", "Observation"), AccessLevel.FULL, "ETREAT", START, START.plusSeconds(1)))
                .hasMessageStartingWith("PHR-CONSENT-0106");
        assertThat(new ConsentTerms(List.of("*"), AccessLevel.FULL, "ETREAT", START, START.plusSeconds(1)).emergency()).isTrue();
        assertThatThrownBy(() -> new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "TREAT", START, START))
                .hasMessageStartingWith("PHR-CONSENT-0105");
        assertThatThrownBy(() -> new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "TREAT", START, START.plusSeconds(3661L * 86_400)))
                .hasMessageStartingWith("PHR-CONSENT-0105");
        ConsentTerms t = new ConsentTerms(List.of("Observation"), AccessLevel.SAMPLE, "CAREMGT", START, START.plusSeconds(10));
        assertThat(t.covers(START.plusSeconds(9))).isTrue();
        assertThat(t.covers(START.plusSeconds(10))).isFalse();
        assertThat(t.covers(START.minusSeconds(1))).isFalse();
    }
}
