package org.phrcloud.consent;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.phrcloud.identity.keys.EcdsaP256;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consent decisions (issue 25, fuzzing): what comes from outside is the decider's registered public key (uploaded when
 * the key was registered) and the signature a decision carries; the document is rebuilt by the server. Whatever the
 * key, signature and document bytes, {@link DecisionDocument#verify} answers without an exception, and it answers true
 * only for the patient's key over the document the patient signed.
 */
class DecisionDocumentFuzzTest {
    private static final KeyPair PATIENT = EcdsaP256.generate();
    private static final byte[] PUBLIC_KEY = PATIENT.getPublic().getEncoded();
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final byte[] SIGNED = DecisionDocument.of("42", "ab".repeat(32), new Grantee(Grantee.Kind.PERSON, "kc-user"),
            new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "TREAT", START, START.plusSeconds(86_400)), Decision.APPROVE);
    private static final byte[] SIGNATURE = EcdsaP256.sign(PATIENT.getPrivate(), SIGNED);

    @FuzzTest
    void onlyThePatientsSignatureOfTheDocumentVerifies(FuzzedDataProvider data) {
        byte[] key = data.consumeBoolean() ? PUBLIC_KEY : data.consumeBytes(160);
        byte[] signature = data.consumeBoolean() ? mutated(SIGNATURE, data) : data.consumeBytes(80);
        byte[] document = data.consumeBoolean() ? SIGNED : data.consumeRemainingAsBytes();
        if (DecisionDocument.verify(key, document, signature)) {
            assertThat(key).isEqualTo(PUBLIC_KEY);
            assertThat(document).isEqualTo(SIGNED);
        }
    }

    /** The real signature with a few bytes changed (or none). */
    private static byte[] mutated(byte[] signature, FuzzedDataProvider data) {
        byte[] copy = signature.clone();
        int changes = data.consumeInt(0, 3);
        for (int i = 0; i < changes; i++) {
            copy[data.consumeInt(0, copy.length - 1)] = data.consumeByte();
        }
        return copy;
    }
}
