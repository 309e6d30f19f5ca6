package org.phrcloud.research.dataset;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Research data set requests (issue 25, fuzzing): the body of {@code POST /api/research/datasets} as
 * {@code ResearchResource} reads it ({@code JsonBodies}) and {@code ResearchDataSets#request} checks it
 * ({@link DataSetRequest#validate()}), then what the job builds from an accepted request before reading any record
 * (the types it reads, the hierarchies of its quasi-identifiers). Whatever the body, it is refused with a 400 and its
 * code ({@code PHR-API-0400}, {@code PHR-RESEARCH-10nn}), or everything built from it works: a request accepted with
 * a 202 must not fail later for something it said. The seeds (DataSetRequestFuzzTestInputs) are two valid requests
 * and the findings, each a regression test.
 */
class DataSetRequestFuzzTest {
    @FuzzTest
    void readsAndChecksARequestOrRefusesItWithItsCode(byte[] body) {
        DataSetRequest request;
        try {
            request = org.phrcloud.core.rest.JsonBodies.read(new String(body, StandardCharsets.UTF_8), DataSetRequest.class);
            if (request == null) {
                return; // "null": Jackson reads no request (ResearchDataSets then refuses it; not the parsers' concern)
            }
            request.validate();
        } catch (ApiException e) {
            assertThat(e.getMessage()).startsWith("PHR-API-0400");
            return;
        } catch (ResearchException e) {
            assertThat(e.getMessage()).startsWith("PHR-RESEARCH-10");
            return;
        }
        assertThat(Extraction.typesRead(request)).contains("Patient");
        for (DataSetRequest.Attribute a : request.ofClass(DataSetRequest.AttributeClass.QUASI_IDENTIFIER)) {
            if (a.hierarchy() != null) {
                TableHierarchy.parse(a.hierarchy());
            } else if (a.numeric() && a.bands() != null) {
                new IntervalHierarchy(a.bands().stream().mapToInt(Integer::intValue).toArray());
            }
        }
    }
}
