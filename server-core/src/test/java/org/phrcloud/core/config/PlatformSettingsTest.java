package org.phrcloud.core.config;


import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformSettingsTest {
    @Test
    void anH2FileDatabaseCommitsToDiskAtEachCommitUnlessTheUrlSaysOtherwise() {
        assertThat(PlatformSettings.durable("jdbc:h2:file:/data/fhir")).isEqualTo("jdbc:h2:file:/data/fhir;WRITE_DELAY=0");
        assertThat(PlatformSettings.durable("jdbc:h2:file:/data/fhir;write_delay=500")).isEqualTo("jdbc:h2:file:/data/fhir;write_delay=500");
        assertThat(PlatformSettings.durable("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
        assertThat(PlatformSettings.durable("jdbc:postgresql://db/phr")).isEqualTo("jdbc:postgresql://db/phr");
    }
}
