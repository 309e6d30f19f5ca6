package org.phrcloud.ledger.anchor;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The anchoring state in one word, at the edges of its thresholds (2 and 15 minutes), written out. */
class AnchoringStatusTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void theStateFollowsTheAgeOfTheOldestWaitingBlockAndTheAnchorInFlight() {
        assertThat(AnchoringStatus.health(false, 99_999, null, NOW)).isEqualTo("off");
        assertThat(AnchoringStatus.health(true, 0, null, NOW)).isEqualTo("ok");
        assertThat(AnchoringStatus.health(true, 120, null, NOW)).isEqualTo("ok");
        assertThat(AnchoringStatus.health(true, 121, null, NOW)).isEqualTo("delayed");
        assertThat(AnchoringStatus.health(true, 900, null, NOW)).isEqualTo("delayed");
        assertThat(AnchoringStatus.health(true, 901, null, NOW)).isEqualTo("failing");
        AnchoringStatus.InFlight recent = new AnchoringStatus.InFlight(1, "0xab", Instant.parse("2026-12-06T11:50:00Z"));
        AnchoringStatus.InFlight stuck = new AnchoringStatus.InFlight(1, "0xab", Instant.parse("2026-12-06T11:44:59Z"));
        assertThat(AnchoringStatus.health(true, 30, recent, NOW)).isEqualTo("ok");
        assertThat(AnchoringStatus.health(true, 30, stuck, NOW)).isEqualTo("failing");
    }
}
