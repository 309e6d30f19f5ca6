package org.phrcloud.identity.keys;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Patient key files (issue 25, fuzzing): whatever a file holds, reading its public key and decrypting it either
 * succeeds or fails with {@link PatientKeyFile.KeyFileException} and its {@code PHR-IDENTITY-012x} code, never with
 * another exception. The seeds (PatientKeyFileFuzzTestInputs) are a valid file with the passphrase {@code fuzz} and
 * the minimum iteration count, and the findings, each a regression test.
 */
class PatientKeyFileFuzzTest {
    @FuzzTest
    void readsAKeyFileOrRefusesItWithItsCode(byte[] file) {
        String json = new String(file, java.nio.charset.StandardCharsets.UTF_8);
        try {
            assertThat(PatientKeyFile.publicKey(json).getAlgorithm()).isEqualTo("EC");
        } catch (PatientKeyFile.KeyFileException e) {
            assertThat(e.getMessage()).startsWith("PHR-IDENTITY-012");
        }
        try {
            assertThat(PatientKeyFile.decrypt(json, "fuzz".toCharArray()).getAlgorithm()).isEqualTo("EC");
        } catch (PatientKeyFile.KeyFileException e) {
            assertThat(e.getMessage()).startsWith("PHR-IDENTITY-012");
        }
    }
}
