package org.phrcloud.portal.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiAnswerTest {
    @Test
    void theMessageIsInPlainWordsWithTheCodeKeptSmallAtTheEnd() {
        assertThat(new ApiAnswer(404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"PHR-API-0421: not linked\"}").message())
                .isEqualTo("Not linked. (PHR-API-0421)");
        assertThat(new ApiAnswer(403, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"forbidden\","
                + "\"diagnostics\":\"PHR-AUTHZ-0010: Access denied\"}]}").message())
                .isEqualTo("You do not have access to this record. Ask the patient for access; if care cannot wait, use emergency access. (PHR-AUTHZ-0010)");
        assertThat(new ApiAnswer(400, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"processing\","
                + "\"diagnostics\":\"HAPI-1821: Unknown search parameter\"}]}").message()).isEqualTo("Unknown search parameter. (HAPI-1821)");
        assertThat(new ApiAnswer(403, "{\"detail\":\"PHR-AUTHZ-0010: Access denied\"}").technicalMessage()).isEqualTo("PHR-AUTHZ-0010: Access denied");
        assertThat(new ApiAnswer(502, "<html>bad gateway</html>").message()).isEqualTo("The server could not answer (status 502). Try again in a moment.");
        assertThat(new ApiAnswer(409, "").message()).isEqualTo("The server refused this (status 409).");
        assertThat(new ApiAnswer(201, "").ok()).isTrue();
    }

    @Test
    void jsonBecomesPlainValues() {
        Object plain = Plain.of(jakarta.json.Json.createReader(new java.io.StringReader(
                "{\"a\":\"x\",\"n\":3,\"d\":1.5,\"t\":true,\"z\":null,\"list\":[1,{\"b\":\"y\"}]}")).readValue());
        assertThat(plain.toString()).isEqualTo("{a=x, n=3, d=1.5, t=true, z=null, list=[1, {b=y}]}");
    }
}
