package org.phrcloud.standards.fhir.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FHIR request bodies (issue 25, fuzzing): the first step of the server's request path that reads a create, update or
 * transaction body, {@link IncomingResourceValidationInterceptor}, in process, on any bytes sent as FHIR JSON or XML.
 * It must accept the body or refuse it with a 4xx (400 for what is not well-formed, 422 with the validator's
 * OperationOutcome for what is not valid): an exception of another kind becomes a 500. The validation support is
 * HAPI's in-memory chain of the R4 base profiles and terminologies (the server's is the same on top of its database).
 * A body starting with {@code <} is sent as XML, any other as JSON. The seeds (FhirBodyFuzzTestInputs) are valid resources and a transaction, and the
 * findings, each a regression test.
 */
class FhirBodyFuzzTest {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final ca.uhn.fhir.rest.server.RestfulServer SERVER = new ca.uhn.fhir.rest.server.RestfulServer(FHIR);
    private static final IncomingResourceValidationInterceptor VALIDATION = new IncomingResourceValidationInterceptor(
            new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR), new CommonCodeSystemsTerminologyService(FHIR),
                    new InMemoryTerminologyServerValidationSupport(FHIR), new SnapshotGeneratingValidationSupport(FHIR)));

    @FuzzTest
    void aBodyIsAcceptedOrRefusedWithA4xx(byte[] body) {
        boolean xml = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1).stripLeading().startsWith("<");
        SystemRequestDetails request = new SystemRequestDetails();
        request.setFhirContext(FHIR);
        request.setServer(SERVER);
        request.setRequestType(RequestTypeEnum.POST);
        request.setRestOperationType(RestOperationTypeEnum.CREATE);
        request.addHeader(Constants.HEADER_CONTENT_TYPE, xml ? Constants.CT_FHIR_XML_NEW : Constants.CT_FHIR_JSON_NEW);
        request.setRequestContents(body);
        try {
            assertThat(VALIDATION.validate(request, null, null)).isTrue();
        } catch (BaseServerResponseException refused) {
            assertThat(refused.getStatusCode()).as(refused.getMessage()).isBetween(400, 499);
        }
    }
}
