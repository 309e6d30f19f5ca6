package org.phrcloud.research.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.research.anonymization.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The release database is read-only for the researcher and answers within the row limit; the CSV holds the release. */
class ReleaseFilesTest {
    @TempDir
    Path folder;

    private Table release(int n) {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of("[30-40)", i % 2 == 0 ? "male" : "female", "C" + (i % 3)));
        }
        return new Table(List.of("age", "sex", "order"), rows);
    }

    @Test
    void theResearcherQueriesTheReleaseWithARowLimit() throws Exception {
        String password = ReleaseFiles.writeDatabase(folder, release(12));

        ReleaseFiles.QueryResult all = ReleaseFiles.query(folder, password, "SELECT sex, COUNT(*) AS n FROM records GROUP BY sex ORDER BY sex", 100);
        assertThat(all.columns()).containsExactly("SEX", "N");
        assertThat(all.rows()).containsExactly(List.of("female", "6"), List.of("male", "6"));
        assertThat(all.truncated()).isFalse();

        ReleaseFiles.QueryResult limited = ReleaseFiles.query(folder, password, "SELECT * FROM records", 5);
        assertThat(limited.rows()).hasSize(5);
        assertThat(limited.truncated()).isTrue();
        // an attribute named like an SQL keyword is still a column
        assertThat(ReleaseFiles.query(folder, password, "SELECT \"ORDER\" FROM records", 1).rows()).hasSize(1);

        List<String> csv = Files.readAllLines(folder.resolve(ReleaseFiles.CSV));
        assertThat(csv).hasSize(13);
        assertThat(csv.get(0)).isEqualTo("age,sex,order");
    }

    @Test
    void theResearcherCannotWriteNorReachFilesNorOtherDatabases() throws Exception {
        String password = ReleaseFiles.writeDatabase(folder, release(3));
        for (String sql : List.of("INSERT INTO records VALUES ('x', 'y', 'z')", "DELETE FROM records", "DROP TABLE records",
                "CREATE TABLE t (a INT)", "SELECT FILE_READ('/etc/hostname') FROM records",
                "SELECT * FROM CSVREAD('/etc/hostname')", "CREATE ALIAS X FOR 'java.lang.System.getProperty'",
                "CALL LINK_SCHEMA('S', '', 'jdbc:h2:mem:x', 'sa', '', 'PUBLIC')")) {
            assertThatThrownBy(() -> ReleaseFiles.query(folder, password, sql, 10)).as(sql)
                    .isInstanceOf(ResearchException.class).hasMessageStartingWith("PHR-RESEARCH-1201");
        }
        assertThat(ReleaseFiles.query(folder, password, "SELECT COUNT(*) FROM records", 1).rows()).containsExactly(List.of("3"));
        assertThatThrownBy(() -> ReleaseFiles.query(folder, "wrong", "SELECT 1", 1)).isInstanceOf(ResearchException.class);
    }

    @Test
    void rowNumbersFindTheReleasedPatientsAndAreNeverReleased() {
        Table input = new Table(List.of("age"), List.of(List.of("31"), List.of("32"), List.of("33")));
        Table numbered = ResearchDataSets.numbered(input);
        Table release = new Table(numbered.columns(), List.of(numbered.rows().get(2), numbered.rows().get(0)));
        assertThat(ResearchDataSets.releasedRows(release)).containsExactly(2, 0);
        Table written = ResearchDataSets.withoutRowNumbers(release);
        assertThat(written.columns()).containsExactly("age");
        assertThat(written.rows()).containsExactlyInAnyOrder(List.of("33"), List.of("31"));
    }

    @Test
    void postalCodesOfDifferentLengthsShareOneHierarchy() {
        Table input = new Table(List.of("zip"), List.of(List.of("12345"), List.of("1234")));
        var a = new DataSetRequest.Attribute("zip", "postalCode", "quasi-identifier", null, null);
        var h = ResearchDataSets.hierarchy(a, input);
        assertThat(h.generalize("12345", 2)).isEqualTo("123**");
        assertThat(h.generalize("1234", 2)).isEqualTo("123**");
        assertThat(h.generalize("1234", h.height())).isEqualTo("*");
    }

    @Test
    void aRequestIsValidatedBeforeAnythingRuns() {
        var pseudonym = new DataSetRequest.Attribute("id", "pseudonym", "identifier", null, null);
        var age = new DataSetRequest.Attribute("age", "age", "quasi-identifier", null, null);
        var condition = new DataSetRequest.Attribute("dx", "condition", "sensitive", null, null);
        new DataSetRequest("s", "why", null, List.of(pseudonym, age, condition), 5, 2, null, null, null, null, null).validate();
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(pseudonym, condition), 5, 2, null, null, null, null, null)
                .validate()).hasMessageStartingWith("PHR-RESEARCH-1010");
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(age), 1, null, null, null, null, null, null)
                .validate()).hasMessageStartingWith("PHR-RESEARCH-1011");
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(age), 5, 2, null, null, null, null, null)
                .validate()).hasMessageStartingWith("PHR-RESEARCH-1012");
        var name = new DataSetRequest.Attribute("age", "sex", "identifier", null, null);
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(age, name), 5, null, null, null, null, null, null)
                .validate()).hasMessageStartingWith("PHR-RESEARCH-1005");
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(age), 5, null, null, null, 0.1, "mondrian", null)
                .validate()).hasMessageStartingWith("PHR-RESEARCH-1017");
        var bandsThatDoNotNest = new DataSetRequest.Attribute("age", "age", "quasi-identifier", List.of(10, 15), null);
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(bandsThatDoNotNest), 5, null, null, null, null, null, null)
                .validate()).as("accepted, they failed the job later").hasMessageStartingWith("PHR-RESEARCH-1008");
        var raggedTable = new DataSetRequest.Attribute("zip", "postalCode", "quasi-identifier", null, List.of("12345;1234*", "23456"));
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(raggedTable), 5, null, null, null, null, null, null)
                .validate()).as("accepted, it failed the job later").hasMessageStartingWith("PHR-RESEARCH-1028");
        var nullLine = new DataSetRequest.Attribute("zip", "postalCode", "quasi-identifier", null, java.util.Arrays.asList("12345;1234*", null));
        assertThatThrownBy(() -> new DataSetRequest("s", "why", null, List.of(nullLine), 5, null, null, null, null, null, null)
                .validate()).hasMessageStartingWith("PHR-RESEARCH-1028");
        assertThat(DataSetRequest.cohortUrl("birthdate=le1980-01-01")).isEqualTo("Patient?birthdate=le1980-01-01");
        assertThat(DataSetRequest.cohortUrl("Condition?code=http://snomed.info/sct|44054006"))
                .isEqualTo("Condition?code=http://snomed.info/sct|44054006");
    }
}
