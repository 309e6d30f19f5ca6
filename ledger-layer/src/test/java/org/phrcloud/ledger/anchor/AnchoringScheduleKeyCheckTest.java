package org.phrcloud.ledger.anchor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.phrcloud.ledger.anchor.Anchorer.Outcome.CONFIRMED;
import static org.phrcloud.ledger.anchor.Anchorer.Outcome.NOTHING_PENDING;
import static org.phrcloud.ledger.anchor.Anchorer.Outcome.STANDBY;

/** When the anchoring schedule reads the institution's JWK Set: never on standby, else at first and every n-th round. */
class AnchoringScheduleKeyCheckTest {

    @Test
    void aStandbyReplicaNeverReadsTheKeys() {
        AnchoringSchedule.KeyCheck check = new AnchoringSchedule.KeyCheck(3);
        for (int round = 1; round <= 7; round++) {
            assertThat(check.due(STANDBY, false)).as("round %d", round).isFalse();
        }
    }

    @Test
    void theLeaseHolderReadsUntilPublishedThenEveryThirdRound() {
        AnchoringSchedule.KeyCheck check = new AnchoringSchedule.KeyCheck(3);
        assertThat(check.due(NOTHING_PENDING, false)).as("round 1, nothing published").isTrue();
        assertThat(check.due(CONFIRMED, false)).as("round 2, publishing failed in round 1").isTrue();
        assertThat(check.due(NOTHING_PENDING, true)).as("round 3").isTrue();
        assertThat(check.due(NOTHING_PENDING, true)).as("round 4").isFalse();
        assertThat(check.due(CONFIRMED, true)).as("round 5").isFalse();
        assertThat(check.due(NOTHING_PENDING, true)).as("round 6").isTrue();
        assertThat(check.due(STANDBY, true)).as("round 7, lease lost").isFalse();
        assertThat(check.due(STANDBY, true)).as("round 8").isFalse();
        assertThat(check.due(NOTHING_PENDING, true)).as("round 9").isTrue();
    }

    @Test
    void everyRoundWhenTheIntervalIsAMinuteOrMore() {
        AnchoringSchedule.KeyCheck check = new AnchoringSchedule.KeyCheck(1);
        assertThat(check.due(NOTHING_PENDING, true)).isTrue();
        assertThat(check.due(NOTHING_PENDING, true)).isTrue();
    }
}
