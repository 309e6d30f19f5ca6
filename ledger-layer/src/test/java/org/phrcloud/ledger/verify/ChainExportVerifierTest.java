package org.phrcloud.ledger.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.phrcloud.ledger.anchor.ChainExport;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fuzz test's seed ({@link ChainExportVerifierFuzzTest}) is what it says: a valid chain of three blocks, anchored
 * at its head, whose Bundle matches every entry; and changing one resource of the Bundle is found.
 */
class ChainExportVerifierTest {
    private static final String SEEDS = "ChainExportVerifierFuzzTestInputs/verifiesAnyExportOrReportsItsProblems/";

    @Test
    void theSeedIsAValidAnchoredChainWithItsBundle() throws Exception {
        String[] parts = seed().split("\0");
        ChainExportVerifier.Report report = verifier().verify(new ObjectMapper().readValue(parts[0], ChainExport.class), parts[1]);
        assertThat(report.problems()).isEmpty();
        assertThat(report.valid()).isTrue();
        assertThat(report.blocks()).isEqualTo(3);
        assertThat(report.anchoredHeight()).isEqualTo(2);
        assertThat(report.resourcesChecked()).isEqualTo(3);
    }

    @Test
    void aResourceChangedInTheBundleIsFound() throws Exception {
        String[] parts = seed().split("\0");
        String changed = parts[1].replace("\"status\":\"final\"", "\"status\":\"amended\"");
        ChainExportVerifier.Report report = verifier().verify(new ObjectMapper().readValue(parts[0], ChainExport.class), changed);
        assertThat(report.valid()).isFalse();
        assertThat(report.problems()).containsExactly("Observation/o1: content does not match its chain entry");
    }

    private static ChainExportVerifier verifier() throws Exception {
        return new ChainExportVerifier(Map.of("hospital-a/2026-1", ChainExportVerifierFuzzTest.author()), anchor -> List.of());
    }

    private static String seed() throws Exception {
        try (var in = ChainExportVerifierTest.class.getResourceAsStream(SEEDS + "valid-export-and-bundle.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
