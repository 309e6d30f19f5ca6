package org.phrcloud.core.config;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformSettingsTest {
    @Test
    void anH2FileDatabaseCommitsToDiskAtEachCommitUnlessTheUrlSaysOtherwise() {
        assertThat(PlatformSettings.durable("jdbc:h2:file:/data/fhir")).isEqualTo("jdbc:h2:file:/data/fhir;WRITE_DELAY=0");
        assertThat(PlatformSettings.durable("jdbc:h2:file:/data/fhir;write_delay=500")).isEqualTo("jdbc:h2:file:/data/fhir;write_delay=500");
        assertThat(PlatformSettings.durable("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
        assertThat(PlatformSettings.durable("jdbc:postgresql://db/phr")).isEqualTo("jdbc:postgresql://db/phr");
    }

    @Test
    void theIdentityKeysAreReadFromFilesWhenTheirPropertiesNameFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("master-keys"), "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        Files.writeString(dir.resolve("blind-index.key"), "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=\n");
        Map<String, Object> properties = minimal();
        properties.put("phr.master.keys.file", dir.resolve("master-keys").toString());
        properties.put("phr.blind.index.key.file", dir.resolve("blind-index.key").toString());

        PlatformSettings settings = PlatformSettings.from(environment(properties));

        assertThat(settings.masterKeys()).isEqualTo("k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assertThat(settings.blindIndexKey()).isEqualTo("QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=");
        assertThat(settings.toString()).doesNotContain("AAAAAAAA").doesNotContain("QkJCQkJC");
    }

    @Test
    void aMissingIdentityKeyNamesBothWaysToGiveIt() {
        Map<String, Object> properties = minimal();
        properties.put("phr.master.keys", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");

        assertThatThrownBy(() -> PlatformSettings.from(environment(properties)))
                .hasMessage("PHR-FHIR-0002: phr.blind.index.key (PHR_BLIND_INDEX_KEY or PHR_BLIND_INDEX_KEY_FILE) is not set");
    }

    private static Map<String, Object> minimal() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("phr.oidc.issuer", "http://127.0.0.1:8180/realms/phr/");
        properties.put("phr.master.key.id", "k1");
        properties.put("phr.institution.id", "st-mary");
        return properties;
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return env;
    }
}
