package org.phrcloud.portal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The portal's one date format and its plain words for codes, written out. */
class WordsTest {
    private final Words words = new Words();

    @Test
    void timesReadAsDayHourMinuteUtcAndDatesStayAsTheyAre() {
        assertThat(words.when("2026-12-06T22:18:55.123456Z")).isEqualTo("2026-12-06 22:18 UTC");
        assertThat(Words.time("2026-12-07T08:00:00Z")).isEqualTo("2026-12-07 08:00 UTC");
        assertThat(words.when("2026-12-06")).isEqualTo("2026-12-06");
        assertThat(words.when(null)).isEmpty();
    }

    @Test
    void codesReadInPlainWords() {
        assertThat(words.types(List.of("Observation", "Condition"))).isEqualTo("Results and measurements, Conditions");
        assertThat(words.types(List.of("*"))).isEqualTo("the whole record");
        assertThat(words.level("information")).isEqualTo("information: summary figures only");
        assertThat(words.purpose("ETREAT")).isEqualTo("emergency treatment");
        assertThat(words.purpose("HRESCH")).isEqualTo("research");
        assertThat(words.purpose("OTHER")).isEqualTo("OTHER");
    }
}
