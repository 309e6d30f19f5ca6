package org.phrcloud.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.phrcloud.core.error.DatabaseUnavailable;
import org.phrcloud.core.error.PhrError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /fhir} while the database cannot be reached ({@link DatabaseUnavailable}): instead of HAPI's 500, a
 * {@code 503 Service Unavailable} with {@code Retry-After} and an OperationOutcome (issue severity {@code error},
 * code {@code transient}: FHIR R4 IssueType "transient", "the processing issues are transient"; diagnostics
 * PHR-FHIR-0503). Nothing was written: the transaction could not begin or was rolled back with its connection. The
 * pool ({@code FhirJpaConfig}) tests connections before use, so requests succeed again as soon as the database is
 * back, without a restart. Registered first, so that it sees every failure of the request path, authentication's
 * included.
 */
@Interceptor
public class DatabaseUnavailableInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseUnavailableInterceptor.class);

    private final FhirContext fhir;

    public DatabaseUnavailableInterceptor(FhirContext fhir) {
        this.fhir = fhir;
    }

    /** @return the 503 to answer with, or null when the failure is not the database's */
    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException unavailable(RequestDetails request, Throwable failure) {
        if (!DatabaseUnavailable.causedBy(failure)) {
            return null;
        }
        LOG.warn("FHIR request failed: the database cannot be reached ({})", failure.getClass().getName());
        String message = PhrError.PHR_FHIR_0503.code() + ": " + PhrError.PHR_FHIR_0503.title();
        IBaseOperationOutcome outcome = OperationOutcomeUtil.newInstance(fhir);
        OperationOutcomeUtil.addIssue(fhir, outcome, "error", message, null, "transient");
        UnclassifiedServerFailureException unavailable = new UnclassifiedServerFailureException(503, message, outcome);
        unavailable.addResponseHeader("Retry-After", String.valueOf(DatabaseUnavailable.RETRY_AFTER_SECONDS));
        return unavailable;
    }
}
