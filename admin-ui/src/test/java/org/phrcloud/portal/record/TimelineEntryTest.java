package org.phrcloud.portal.record;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineEntryTest {
    @Test
    void entriesThatSayTheSameOnOneDayAreOneRowAtTheFirstOnesPlace() {
        TimelineEntry a = new TimelineEntry("2026-02-01T10:00:00Z", "Procedure", "Medication reconciliation", "completed", "Procedure/a");
        TimelineEntry glucose = new TimelineEntry("2026-02-01T09:30:00Z", "Observation", "Glucose", "91 mg/dL", "Observation/g");
        TimelineEntry b = new TimelineEntry("2026-02-01T09:00:00Z", "Procedure", "Medication reconciliation", "completed", "Procedure/b");
        TimelineEntry otherValue = new TimelineEntry("2026-02-01T08:00:00Z", "Observation", "Glucose", "95 mg/dL", "Observation/h");
        TimelineEntry otherDay = new TimelineEntry("2026-01-31T10:00:00Z", "Procedure", "Medication reconciliation", "completed", "Procedure/c");

        List<TimelineEntry.Row> rows = TimelineEntry.grouped(List.of(a, glucose, b, otherValue, otherDay));

        assertThat(rows).extracting(TimelineEntry.Row::reference)
                .containsExactly("Procedure/a", "Observation/g", "Observation/h", "Procedure/c");
        assertThat(rows.get(0).references()).containsExactly("Procedure/a", "Procedure/b");
        assertThat(rows.get(0).count()).isEqualTo(2);
        assertThat(rows.get(0).title()).isEqualTo("Medication reconciliation");
        assertThat(rows.get(0).kind()).isEqualTo("Procedure");
        assertThat(rows.get(1).count()).isEqualTo(1);
    }
}
