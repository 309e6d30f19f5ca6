package org.phrcloud.standards.fhir.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FhirServerSettingsTest {
    @Test
    void anH2FileDatabaseCommitsToDiskAtEachCommitUnlessTheUrlSaysOtherwise() {
        assertThat(FhirServerSettings.durable("jdbc:h2:file:/data/fhir")).isEqualTo("jdbc:h2:file:/data/fhir;WRITE_DELAY=0");
        assertThat(FhirServerSettings.durable("jdbc:h2:file:/data/fhir;write_delay=500")).isEqualTo("jdbc:h2:file:/data/fhir;write_delay=500");
        assertThat(FhirServerSettings.durable("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
        assertThat(FhirServerSettings.durable("jdbc:postgresql://db/phr")).isEqualTo("jdbc:postgresql://db/phr");
    }
}
