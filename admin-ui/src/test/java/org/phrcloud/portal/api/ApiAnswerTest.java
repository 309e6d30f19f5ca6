package org.phrcloud.portal.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiAnswerTest {
    @Test
    void theMessageIsTheProblemDetailTheOperationOutcomeDiagnosticsOrTheStatus() {
        assertThat(new ApiAnswer(404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"PHR-API-0421: not linked\"}").message())
                .isEqualTo("PHR-API-0421: not linked");
        assertThat(new ApiAnswer(403, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"forbidden\","
                + "\"diagnostics\":\"PHR-AUTHZ-0010: Access denied\"}]}").message()).isEqualTo("PHR-AUTHZ-0010: Access denied");
        assertThat(new ApiAnswer(502, "<html>bad gateway</html>").message()).isEqualTo("the server answered 502");
        assertThat(new ApiAnswer(201, "").ok()).isTrue();
    }

    @Test
    void jsonBecomesPlainValues() {
        Object plain = Plain.of(jakarta.json.Json.createReader(new java.io.StringReader(
                "{\"a\":\"x\",\"n\":3,\"d\":1.5,\"t\":true,\"z\":null,\"list\":[1,{\"b\":\"y\"}]}")).readValue());
        assertThat(plain.toString()).isEqualTo("{a=x, n=3, d=1.5, t=true, z=null, list=[1, {b=y}]}");
    }
}
