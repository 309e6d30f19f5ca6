package org.phrcloud.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.util.BundleUtil;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The AuditEvents of everything on {@code /fhir} that is not a committed write: reads, searches, history, operations
 * ({@code $everything}) when the answer leaves, and every refused or failed request (401, 403, 4xx, 5xx) with what it
 * named. A request gets exactly one AuditEvent: a write's is stored with it ({@link AuditWriteInterceptor}) and
 * this interceptor then skips the request. {@code GET /metadata} is not audited (no record is touched).
 *
 * <p>The patients of a read are the compartment owners of what was returned (of an operation's Parameters, of the
 * stored resources in it); of a refusal, a count or aggregates ({@code $stats}), the Patients
 * the request named (its id, or {@code patient}/{@code subject} parameters naming up to {@value #MAX_NAMED} Patients, or
 * the body of a refused write, or the stored resource a refused request named by id).
 */
@Interceptor
public class AuditRequestInterceptor {
    static final int MAX_NAMED = 20;
    private static final Logger LOG = LoggerFactory.getLogger(AuditRequestInterceptor.class);

    private final Auditor auditor;

    public AuditRequestInterceptor(Auditor auditor) {
        this.auditor = auditor;
    }

    /** Before authentication: the HTTP request's id and operation, which a transaction's sub-requests do not carry. */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -100)
    public boolean arrived(RequestDetails request) {
        request.getUserData().put(Auditor.ROOT_REQUEST_ID, request.getRequestId());
        if (request.getRestOperationType() != null) {
            request.getUserData().put(Auditor.ROOT_OPERATION, request.getRestOperationType());
        }
        return true;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void answered(RequestDetails request, ResponseDetails response) {
        String kind = kind(request.getRestOperationType());
        if (kind == null) {
            return; // metadata
        }
        // a write that stored anything was recorded in its transaction (record() skips it); one that stored nothing
        // (a conditional create that found its match) is recorded here
        Set<String> patients = new LinkedHashSet<>();
        List<String> resources = new ArrayList<>();
        IBaseResource body = response.getResponseResource();
        List<IBaseResource> shown = new ArrayList<>();
        if (body instanceof IBaseBundle bundle) {
            shown.addAll(BundleUtil.toListOfResources(auditor.fhir(), bundle));
        } else if (body instanceof org.hl7.fhir.r4.model.Parameters parameters) {
            // an operation's answer ($stats): the stored resources it holds; computed ones (no id) are not records
            parameters.getParameter().stream().map(org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent::getResource)
                    .filter(r -> r != null && r.getIdElement().hasIdPart()).forEach(shown::add);
        } else if (body != null) {
            shown.add(body);
        }
        for (IBaseResource r : shown) {
            if (auditor.fhir().getResourceType(r).equals("OperationOutcome")) {
                continue;
            }
            patients.addAll(auditor.owners(r));
            resources.add(auditor.reference(r));
        }
        if (shown.isEmpty()) {
            patients.addAll(named(request));
        }
        auditor.record(request, kind, 0, null, patients, resources, query(request, kind));
    }

    @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
    public boolean failed(RequestDetails request, BaseServerResponseException exception) {
        String kind = request.getRestOperationType() == null ? "operation" : kind(request.getRestOperationType());
        if (kind == null) {
            return true;
        }
        int status = exception.getStatusCode();
        Set<String> patients = new LinkedHashSet<>(named(request));
        IBaseResource body = request.getResource() != null ? request.getResource() : parsedBody(request);
        if (body != null) {
            patients.addAll(auditor.owners(body));
        }
        if (request.getId() != null && request.getId().hasIdPart() && request.getResourceName() != null
                && !"Patient".equals(request.getResourceName())) {
            patients.addAll(auditor.ownersOfStored(request.getId().withResourceType(request.getResourceName())));
        }
        try {
            auditor.record(request, kind, status >= 500 ? 8 : 4, status + " " + exception.getMessage(), patients, List.of(),
                    query(request, kind));
        } catch (RuntimeException e) {
            LOG.error("PHR-AUDIT-0402: the AuditEvent of a failed {} request could not be stored", kind, e);
        }
        return true;
    }

    /** The body of a refused write that was refused before HAPI parsed it (e.g. by validation); null if none or unreadable. */
    private IBaseResource parsedBody(RequestDetails request) {
        try {
            byte[] raw = request.loadRequestContents();
            if (raw == null || raw.length == 0) {
                return null;
            }
            String text = new String(raw, java.nio.charset.StandardCharsets.UTF_8).strip();
            ca.uhn.fhir.parser.IParser parser = text.startsWith("<") ? auditor.fhir().newXmlParser() : auditor.fhir().newJsonParser();
            parser.setParserErrorHandler(new ca.uhn.fhir.parser.LenientErrorHandler(false).disableAllErrors());
            return parser.parseResource(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The AuditEvent kind of an operation; null for metadata. */
    static String kind(RestOperationTypeEnum op) {
        if (op == null) {
            return "operation";
        }
        return switch (op) {
            case METADATA -> null;
            case READ -> "read";
            case VREAD -> "vread";
            case SEARCH_TYPE, SEARCH_SYSTEM, GET_PAGE -> "search";
            case HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM -> "history";
            case CREATE -> "create";
            case UPDATE, PATCH -> "update";
            case DELETE -> "delete";
            case TRANSACTION, BATCH -> "transaction";
            default -> "operation";
        };
    }

    private static String query(RequestDetails request, String kind) {
        return kind.equals("search") ? request.getCompleteUrl() : null;
    }

    /** Patients the request names: its own id when it is a Patient, and patient/subject parameters. */
    private static Set<String> named(RequestDetails request) {
        Set<String> ids = new LinkedHashSet<>();
        if (request.getId() != null && "Patient".equals(request.getResourceName()) && request.getId().hasIdPart()) {
            ids.add(request.getId().getIdPart());
        }
        for (Map.Entry<String, String[]> p : request.getParameters().entrySet()) {
            String name = p.getKey().split(":")[0];
            if (!name.equals("patient") && !name.equals("subject") && !(name.equals("_id") && "Patient".equals(request.getResourceName()))) {
                continue;
            }
            for (String value : p.getValue()) {
                for (String one : value.split(",")) {
                    String id = one.startsWith("Patient/") ? one.substring(8) : name.equals("subject") && one.contains("/") ? null : one;
                    if (id != null && !id.isBlank()) {
                        ids.add(id);
                    }
                }
            }
        }
        return ids.size() > MAX_NAMED ? Set.of() : ids;
    }
}
