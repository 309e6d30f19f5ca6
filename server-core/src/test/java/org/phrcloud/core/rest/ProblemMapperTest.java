package org.phrcloud.core.rest;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every failure becomes an RFC 9457 problem through one mapping: the expected answers are written out. */
class ProblemMapperTest {
    static Stream<Arguments> answers() {
        return Stream.of(
                // exception, status, code, type, title, detail
                Arguments.of(new ApiException("PHR-API-0418: no identity matches"), 404, "PHR-API-0418",
                        "/api/problems/PHR-API-0418", "No identity matches", "PHR-API-0418: no identity matches"),
                Arguments.of(new ApiException("PHR-API-0423: this identity belongs to another institution"), 403, "PHR-API-0423",
                        "/api/problems/PHR-API-0423", "This identity belongs to another institution",
                        "PHR-API-0423: this identity belongs to another institution"),
                // a lower layer's validation error: the catalog says 400
                Arguments.of(new IllegalArgumentException("PHR-IDENTITY-0101: a pseudonym is 64 lowercase hex characters"), 400,
                        "PHR-IDENTITY-0101", "/api/problems/PHR-IDENTITY-0101", "A pseudonym is 64 lowercase hex characters",
                        "PHR-IDENTITY-0101: a pseudonym is 64 lowercase hex characters"),
                // a bare IllegalArgumentException is a 500 that does not echo its message
                Arguments.of(new IllegalArgumentException("Bob Smith, born 1970-01-01, is not valid"), 500, "PHR-API-0500",
                        "/api/problems/PHR-API-0500", "Internal error", "PHR-API-0500: Internal error"),
                Arguments.of(new NullPointerException(), 500, "PHR-API-0500", "/api/problems/PHR-API-0500", "Internal error",
                        "PHR-API-0500: Internal error"),
                // a catalogued 5xx answers with its title only, not with its message
                Arguments.of(new IllegalStateException("PHR-IDENTITY-0300: master patient index storage failed (SQL state 08001)"),
                        500, "PHR-IDENTITY-0300", "/api/problems/PHR-IDENTITY-0300",
                        "Master patient index storage failed",
                        "PHR-IDENTITY-0300: Master patient index storage failed"),
                // Jakarta REST's own refusals
                Arguments.of(new NotFoundException(), 404, "PHR-API-0405", "/api/problems/PHR-API-0405", "No such resource in this API",
                        "PHR-API-0405: No such resource in this API"),
                Arguments.of(new NotAllowedException("GET"), 405, "PHR-API-0406", "/api/problems/PHR-API-0406", "Method not allowed",
                        "PHR-API-0406: Method not allowed"));
    }

    @ParameterizedTest
    @MethodSource("answers")
    void answers(Throwable failure, int status, String code, String type, String title, String detail) throws Exception {
        Response r = new ProblemMapper().toResponse(failure);
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
        JsonNode problem = JsonBodies.MAPPER.readTree((String) r.getEntity());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("code").asText()).isEqualTo(code);
        assertThat(problem.path("type").asText()).isEqualTo(type);
        assertThat(problem.path("title").asText()).isEqualTo(title);
        assertThat(problem.path("detail").asText()).isEqualTo(detail);
    }
}
