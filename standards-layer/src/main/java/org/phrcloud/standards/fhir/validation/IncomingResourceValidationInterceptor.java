package org.phrcloud.standards.fhir.validation;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Validates the body of every create, update, patch and transaction against the FHIR R4 base profiles
 * (cardinality, data types, required bindings, invariants) with HAPI's {@link FhirInstanceValidator},
 * offline. A resource with an error is refused with 422 and the validator's OperationOutcome
 * (FHIR R4 3.1.0.4.1: "Unprocessable Entity") before anything is written.
 *
 * <p>A body that is not well-formed JSON or XML is refused with 400 (FHIR R4 3.1.0.4.1: "Bad Request").
 * HAPI's own {@link RequestValidatingInterceptor} reports that as a 500, so it is wrapped here rather
 * than registered directly.
 */
@Interceptor
public class IncomingResourceValidationInterceptor {
    private final RequestValidatingInterceptor delegate = new RequestValidatingInterceptor();

    public IncomingResourceValidationInterceptor(IValidationSupport validationSupport) {
        delegate.addValidatorModule(new FhirInstanceValidator(validationSupport));
        delegate.setFailOnSeverity(ResultSeverityEnum.ERROR);
        delegate.setAddResponseHeaderOnSeverity(null);
        delegate.setAddResponseOutcomeHeaderOnSeverity(null);
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean validate(RequestDetails requestDetails, HttpServletRequest request, HttpServletResponse response) {
        try {
            return delegate.incomingRequestPostProcessed(requestDetails, request, response);
        } catch (InternalErrorException e) {
            if (isParseFailure(e) || !wellFormed(requestDetails)) {
                String contentType = requestDetails.getHeader(ca.uhn.fhir.rest.api.Constants.HEADER_CONTENT_TYPE);
                throw new InvalidRequestException("PHR-FHIR-0400: the request body is not well-formed FHIR "
                        + (contentType != null && contentType.contains("xml") ? "XML" : "JSON"));
            }
            throw e;
        }
    }

    /**
     * Whether HAPI's parser reads the body as a resource: asked only after the validator failed with an internal error,
     * since the HL7 validator's own JSON reader fails on some bodies that are not JSON (e.g. {@code #{}) with a
     * NullPointerException instead of a parse error (found by {@code FhirBodyFuzzTest}).
     */
    private static boolean wellFormed(RequestDetails requestDetails) {
        try {
            ca.uhn.fhir.rest.api.EncodingEnum encoding = ca.uhn.fhir.rest.server.RestfulServerUtils.determineRequestEncodingNoDefault(requestDetails);
            String body = new String(requestDetails.loadRequestContents(),
                    ca.uhn.fhir.rest.server.method.ResourceParameter.determineRequestCharset(requestDetails));
            encoding.newParser(requestDetails.getFhirContext()).parseResource(body);
            return true;
        } catch (RuntimeException notAResource) {
            return false;
        }
    }

    private static boolean isParseFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (t instanceof DataFormatException || type.startsWith("com.google.gson.")
                    || type.startsWith("com.fasterxml.jackson.core.") || type.startsWith("javax.xml.stream.")
                    || t instanceof java.io.EOFException || type.equals("org.xml.sax.SAXParseException")) {
                return true;
            }
        }
        String message = String.valueOf(e.getMessage());
        return message.contains("JsonSyntaxException") || message.contains("EOFException")
                || message.contains("Failed to parse");
    }
}
