package org.phrcloud.core.caller;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.phrcloud.identity.caller.Caller;

/**
 * The {@link Caller} of a FHIR request and the purpose of use it acts under, kept in the request's user data.
 * The FHIR authentication interceptor sets the caller once the bearer token is verified; every later hook
 * (authorization, master patient index, ledger authorship, AuditEvent) reads it from here. Work done by the
 * server on someone's behalf (consent decisions, HL7 v2 messages, research extraction) runs as a HAPI
 * {@link SystemRequestDetails} made by {@link #systemRequestAs}, so the storage hooks see the same caller.
 *
 * <p>Purpose of use: a code of HL7 v3 ActReason ({@code ETREAT} emergency treatment, {@code HRESCH} research, ...)
 * that the AuditEvent records (IHE BALP {@code AuditEvent.purposeOfEvent}); absent for ordinary care.
 */
public final class CallerContext {
    private static final String CALLER = CallerContext.class.getName() + ".caller";
    private static final String PURPOSE_OF_USE = CallerContext.class.getName() + ".purposeOfUse";

    private CallerContext() {
    }

    /** @return the request's verified caller; null for a request without one ({@code GET /fhir/metadata}, an internal request) */
    public static Caller caller(RequestDetails request) {
        return request == null ? null : (Caller) request.getUserData().get(CALLER);
    }

    /** Records the verified caller of {@code request}. */
    public static void setCaller(RequestDetails request, Caller caller) {
        request.getUserData().put(CALLER, caller);
    }

    /** @return the HL7 v3 ActReason code the request acts under, or null */
    public static String purposeOfUse(RequestDetails request) {
        return request == null ? null : (String) request.getUserData().get(PURPOSE_OF_USE);
    }

    /** Marks the request as made under {@code purposeOfUse} (an HL7 v3 ActReason code such as {@code ETREAT}). */
    public static void setPurposeOfUse(RequestDetails request, String purposeOfUse) {
        request.getUserData().put(PURPOSE_OF_USE, purposeOfUse);
    }

    /** A server-internal request (HAPI {@code SystemRequestDetails}) made on behalf of {@code caller}. */
    public static SystemRequestDetails systemRequestAs(Caller caller) {
        SystemRequestDetails request = new SystemRequestDetails();
        setCaller(request, caller);
        return request;
    }

    /** {@link #systemRequestAs(Caller)} under a purpose of use (an HL7 v3 ActReason code). */
    public static SystemRequestDetails systemRequestAs(Caller caller, String purposeOfUse) {
        SystemRequestDetails request = systemRequestAs(caller);
        setPurposeOfUse(request, purposeOfUse);
        return request;
    }
}
