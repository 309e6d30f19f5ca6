package org.phrcloud.identity.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatientKeyFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KeyPair keys = EcdsaP256.generate();
    // the format's real iteration count is exercised once; the other cases use fewer to keep the suite fast
    private final String file = PatientKeyFile.encrypt(keys, "correct horse battery staple".toCharArray(), 100_000);

    @Test
    void roundTripDecryptsSignsAndVerifiesWithTheStoredPublicKey() throws Exception {
        String full = PatientKeyFile.encrypt(keys, "pass phrase".toCharArray());
        assertThat(JSON.readTree(full).at("/kdf/iterations").asInt()).isEqualTo(600_000);

        PrivateKey privateKey = PatientKeyFile.decrypt(full, "pass phrase".toCharArray());
        PublicKey stored = PatientKeyFile.publicKey(full); // what the server keeps
        byte[] decision = "approve consent 42".getBytes(StandardCharsets.UTF_8);
        byte[] signature = EcdsaP256.sign(privateKey, decision);

        assertThat(signature).hasSize(64); // IEEE P1363 r||s, as WebCrypto produces
        assertThat(EcdsaP256.verify(stored, decision, signature)).isTrue();
        assertThat(EcdsaP256.verify(stored, "approve consent 43".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(EcdsaP256.verify(EcdsaP256.generate().getPublic(), decision, signature)).isFalse();
    }

    @Test
    void theFileNamesItsPseudonymAndHoldsNoPlaintextKey() throws Exception {
        var doc = JSON.readTree(file);
        assertThat(doc.get("format").asText()).isEqualTo("phr-patient-key");
        assertThat(doc.get("pseudonym").asText()).isEqualTo(Pseudonym.of(keys.getPublic()).value());
        String pkcs8 = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
        assertThat(file).doesNotContain(pkcs8);
    }

    @Test
    void aWrongPassphraseIsRefused() {
        assertThatThrownBy(() -> PatientKeyFile.decrypt(file, "Correct horse battery staple".toCharArray()))
                .isInstanceOf(PatientKeyFile.KeyFileException.class).hasMessageStartingWith("PHR-IDENTITY-0123");
    }

    @Test
    void aCiphertextMovedIntoAnotherPatientsFileDoesNotDecrypt() throws Exception {
        KeyPair other = EcdsaP256.generate();
        ObjectNode otherFile = (ObjectNode) JSON.readTree(PatientKeyFile.encrypt(other, "x y z w".toCharArray(), 100_000));
        ObjectNode ours = (ObjectNode) JSON.readTree(file);
        otherFile.set("ciphertext", ours.get("ciphertext"));
        otherFile.set("kdf", ours.get("kdf"));
        otherFile.set("cipher", ours.get("cipher"));
        assertThatThrownBy(() -> PatientKeyFile.decrypt(otherFile.toString(), "correct horse battery staple".toCharArray()))
                .hasMessageStartingWith("PHR-IDENTITY-0123");
    }

    @Test
    void aSwappedPublicKeyIsRefused() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(file);
        doc.put("publicKey", Base64.getEncoder().encodeToString(EcdsaP256.generate().getPublic().getEncoded()));
        assertThatThrownBy(() -> PatientKeyFile.publicKey(doc.toString())).hasMessageStartingWith("PHR-IDENTITY-0121");
    }

    @Test
    void unknownFormatsAndWeakParametersAreRefused() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(file);
        ((ObjectNode) doc.get("kdf")).put("iterations", 1000);
        assertThatThrownBy(() -> PatientKeyFile.decrypt(doc.toString(), "correct horse battery staple".toCharArray()))
                .hasMessageStartingWith("PHR-IDENTITY-0126");
        assertThatThrownBy(() -> PatientKeyFile.decrypt("{}", new char[0])).hasMessageStartingWith("PHR-IDENTITY-0126");
        assertThatThrownBy(() -> PatientKeyFile.decrypt("not json", new char[0])).hasMessageStartingWith("PHR-IDENTITY-0125");
    }

    @Test
    void aFileAskingForHoursOfKeyDerivationIsRefusedBeforeDerivingAnything() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(file);
        ((ObjectNode) doc.get("kdf")).put("iterations", Integer.MAX_VALUE);
        assertThatThrownBy(() -> PatientKeyFile.decrypt(doc.toString(), "correct horse battery staple".toCharArray()))
                .hasMessageStartingWith("PHR-IDENTITY-0126");
    }

    @Test
    void aFileMissingAPartIsRefusedWithItsCode() throws Exception {
        for (String part : new String[]{"pseudonym", "publicKey", "ciphertext"}) {
            ObjectNode doc = (ObjectNode) JSON.readTree(file);
            doc.remove(part);
            assertThatThrownBy(() -> PatientKeyFile.publicKey(doc.toString())).as(part).hasMessageStartingWith("PHR-IDENTITY-0126");
        }
        ObjectNode noSalt = (ObjectNode) JSON.readTree(file);
        ((ObjectNode) noSalt.get("kdf")).remove("salt");
        assertThatThrownBy(() -> PatientKeyFile.decrypt(noSalt.toString(), new char[0])).hasMessageStartingWith("PHR-IDENTITY-0126");
        assertThatThrownBy(() -> PatientKeyFile.publicKey("null")).hasMessageStartingWith("PHR-IDENTITY-0126");
    }
}
