package org.phrcloud.ledger.verify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.ledger.anchor.ChainExport;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chain export verifier (issue 25, fuzzing), as the standalone {@code VerifyCommand} runs it on files it is given:
 * whatever the export and the Bundle hold, a text that is JSON of the export's shape gets a {@link ChainExportVerifier.Report}
 * (valid or with its problems), never an exception. The input is the export, optionally followed by a NUL character
 * and the Bundle. The seeds (ChainExportVerifierFuzzTestInputs) are a valid three-block chain signed by
 * {@code hospital-a/2026-1} with one anchor and its Bundle, and the findings, each a regression test. Anchors are
 * taken as found on chain: the on-chain check is not what is fuzzed here.
 */
class ChainExportVerifierFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The public key of the seeds' author, DER SubjectPublicKeyInfo. */
    static final String AUTHOR = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAELcLr1jnG2TTM9pokDoEvEk3dTThHBAQGBCjvszmDLUGHyPt2CiOsGjpQY1PnPCRXVe"
            + "ySuTC7A07dIiy67YkYIw==";

    @FuzzTest
    void verifiesAnyExportOrReportsItsProblems(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        int nul = text.indexOf('\0');
        String exportJson = nul < 0 ? text : text.substring(0, nul);
        String bundleJson = nul < 0 ? null : text.substring(nul + 1);
        ChainExport export;
        try {
            export = JSON.readValue(exportJson, ChainExport.class);
        } catch (JsonProcessingException notAnExport) {
            return; // VerifyCommand: "cannot verify", exit status 2
        }
        if (export == null) {
            return;
        }
        ChainExportVerifier.Report report = new ChainExportVerifier(Map.of("hospital-a/2026-1", author()), anchor -> List.of())
                .verify(export, bundleJson);
        assertThat(report.valid()).isEqualTo(report.problems().isEmpty());
    }

    static PublicKey author() throws Exception {
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(AUTHOR)));
    }
}
