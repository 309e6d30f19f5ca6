package org.phrcloud.ledger.chain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentHashTest {
    @Test
    void memberOrderWhitespaceAndServerBookkeepingDoNotChangeTheHash() {
        byte[] a = ContentHash.of("{\"resourceType\":\"Observation\",\"id\":\"1\",\"status\":\"final\","
                + "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},\"valueQuantity\":{\"value\":36.80}}");
        byte[] b = ContentHash.of("{ \"status\": \"final\", \"id\": \"1\", \"resourceType\": \"Observation\","
                + " \"valueQuantity\": {\"value\": 36.8}, \"meta\": {\"versionId\": \"7\"} }");
        assertThat(a).hasSize(32).isEqualTo(b);
    }

    @Test
    void clinicalContentAndSecurityLabelsDo() {
        byte[] a = ContentHash.of("{\"resourceType\":\"Observation\",\"status\":\"final\"}");
        assertThat(ContentHash.of("{\"resourceType\":\"Observation\",\"status\":\"amended\"}")).isNotEqualTo(a);
        assertThat(ContentHash.of("{\"resourceType\":\"Observation\",\"status\":\"final\",\"meta\":{\"security\":"
                + "[{\"code\":\"R\"}]}}")).isNotEqualTo(a);
        assertThatThrownBy(() -> ContentHash.of("[1]")).hasMessageStartingWith("PHR-LEDGER-0101");
    }
}
