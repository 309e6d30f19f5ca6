package org.phrcloud.research.anonymization;

import org.junit.jupiter.api.Test;
import org.phrcloud.research.anonymization.hierarchy.DateHierarchy;
import org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy;
import org.phrcloud.research.anonymization.hierarchy.PrefixHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;
import org.phrcloud.research.anonymization.privacy.DistinctLDiversity;
import org.phrcloud.research.anonymization.privacy.EntropyLDiversity;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrivacyModelsAndHierarchiesTest {
    private static List<List<String>> sensitive(String... values) {
        return java.util.Arrays.stream(values).map(List::of).toList();
    }

    @Test
    void entropyLDiversityIsStricterThanDistinct() {
        List<List<String>> even = sensitive("flu", "flu", "hiv", "hiv");
        List<List<String>> skewed = sensitive("flu", "flu", "flu", "hiv");
        assertThat(EntropyLDiversity.entropy(even, 0)).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
        List<String> columns = List.of("diagnosis");
        assertThat(new EntropyLDiversity("diagnosis", 2).isSatisfiedBy(columns, even)).isTrue();
        assertThat(new DistinctLDiversity("diagnosis", 2).isSatisfiedBy(columns, skewed)).isTrue();
        // -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.562 < ln 2 = 0.693
        assertThat(new EntropyLDiversity("diagnosis", 2).isSatisfiedBy(columns, skewed)).isFalse();
        assertThatThrownBy(() -> new DistinctLDiversity("disease", 2).isSatisfiedBy(columns, even))
                .hasMessageStartingWith("PHR-RESEARCH-0202");
    }

    @Test
    void ageBandsNest() {
        IntervalHierarchy age = IntervalHierarchy.ageBands();
        assertThat(age.height()).isEqualTo(4);
        assertThat(List.of(0, 1, 2, 3, 4)).extracting(l -> age.generalize("37", l))
                .containsExactly("37", "[35-40)", "[30-40)", "[20-40)", "*");
        assertThatThrownBy(() -> new IntervalHierarchy(5, 8)).hasMessageStartingWith("PHR-RESEARCH-0101");
        assertThatThrownBy(() -> age.generalize("thirty", 1)).hasMessageStartingWith("PHR-RESEARCH-0103");
    }

    @Test
    void postalCodesAreTruncated() {
        PrefixHierarchy zip = new PrefixHierarchy(5);
        assertThat(List.of(0, 1, 2, 5)).extracting(l -> zip.generalize("13053", l))
                .containsExactly("13053", "1305*", "130**", "*");
        assertThatThrownBy(() -> zip.generalize("1305", 1)).hasMessageStartingWith("PHR-RESEARCH-0104");
    }

    @Test
    void datesGoToMonthThenYear() {
        DateHierarchy dates = new DateHierarchy();
        assertThat(List.of(0, 1, 2, 3)).extracting(l -> dates.generalize("1984-03-02", l))
                .containsExactly("1984-03-02", "1984-03", "1984", "*");
        assertThatThrownBy(() -> dates.generalize("02/03/1984", 1)).hasMessageStartingWith("PHR-RESEARCH-0109");
    }

    @Test
    void directIdentifiersBecomeKeyedPseudonyms() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        KeyedPseudonyms pseudonyms = new KeyedPseudonyms(key);
        Table table = new Table(List.of("mrn", "age"), List.of(List.of("MRN-1", "40"), List.of("MRN-1", "41"), List.of("MRN-2", "40")));
        Table out = pseudonyms.apply(table, List.of("mrn"));

        assertThat(out.rows()).extracting(r -> r.get(0)).allMatch(v -> v.matches("[0-9a-f]{64}")).doesNotContain("MRN-1", "MRN-2");
        assertThat(out.rows().get(0).get(0)).isEqualTo(out.rows().get(1).get(0)).isNotEqualTo(out.rows().get(2).get(0));
        assertThat(out.rows()).extracting(r -> r.get(1)).containsExactly("40", "41", "40");
        byte[] other = key.clone();
        other[0] ^= 1;
        assertThat(new KeyedPseudonyms(other).of("MRN-1")).isNotEqualTo(pseudonyms.of("MRN-1"));
        assertThatThrownBy(() -> new KeyedPseudonyms(new byte[16])).hasMessageStartingWith("PHR-RESEARCH-0004");
    }

    @Test
    void codeHierarchiesComeFromData() {
        TableHierarchy icd10 = TableHierarchy.parse(List.of(
                "# ICD-10 code;category;chapter", "E11.9;E11;E00-E90", "E10.1;E10;E00-E90", "I21.0;I21;I00-I99;*"));
        assertThat(icd10.height()).isEqualTo(3);
        assertThat(List.of(0, 1, 2, 3)).extracting(l -> icd10.generalize("E11.9", l))
                .containsExactly("E11.9", "E11", "E00-E90", "*");
        assertThatThrownBy(() -> icd10.generalize("Z99.9", 1)).hasMessageStartingWith("PHR-RESEARCH-0108");
        assertThatThrownBy(() -> TableHierarchy.parse(List.of("a;b", "c"))).hasMessageStartingWith("PHR-RESEARCH-0105");
        assertThatThrownBy(() -> TableHierarchy.parse(List.of("a;b", "a;c"))).hasMessageStartingWith("PHR-RESEARCH-0106");
        assertThatThrownBy(() -> TableHierarchy.parse(List.of("*"))).as("only the suppression mark").hasMessageStartingWith("PHR-RESEARCH-0110");
    }
}
