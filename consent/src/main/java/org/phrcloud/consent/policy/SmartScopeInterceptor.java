package org.phrcloud.consent.policy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.identity.caller.Caller;

/**
 * Applies a token's SMART App Launch resource scopes ({@link SmartScopes}) to every FHIR request, after the platform's
 * own rules have admitted the caller (it only refuses more, 403 {@code PHR-AUTHZ-0020}):
 * <ul>
 *   <li>before a request is handled, its interaction on its type: read, vread and history need {@code r}, a type
 *       search {@code s} (with a restricted scope's parameters), create {@code c}, update and patch {@code u}, delete
 *       {@code d}; a system-wide search or history needs a {@code *} scope; an operation needs {@code r} on its type
 *       ({@code *} at system level); a transaction or batch is checked entry by entry as it is stored;</li>
 *   <li>every resource the answer would show (a read, a search with its {@code _include}s, an operation's output such as
 *       {@code $everything}): {@code r} or {@code s} on its type;</li>
 *   <li>every resource stored for the request, transaction entries included: {@code c}, {@code u} or {@code d} on its
 *       type.</li>
 * </ul>
 * Only requests that came over HTTP are checked; what the platform stores or reads for itself on a caller's behalf
 * (the audit, consent records) is not the app's doing.
 */
public class SmartScopeInterceptor {
    private final FhirContext fhir;

    public SmartScopeInterceptor(FhirContext fhir) {
        this.fhir = fhir;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void beforeHandling(RequestDetails request, RestOperationTypeEnum operation) {
        SmartScopes scopes = scopes(request);
        if (!scopes.narrows() || operation == null) {
            return;
        }
        String type = request.getResourceName() == null ? "*" : request.getResourceName();
        SmartScopes.Permission needed = switch (operation) {
            case METADATA, TRANSACTION, BATCH -> null;
            case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM, EXTENDED_OPERATION_INSTANCE, EXTENDED_OPERATION_TYPE,
                 EXTENDED_OPERATION_SERVER -> SmartScopes.Permission.READ;
            case SEARCH_TYPE, SEARCH_SYSTEM, GET_PAGE -> SmartScopes.Permission.SEARCH;
            case CREATE -> SmartScopes.Permission.CREATE;
            case UPDATE, PATCH -> SmartScopes.Permission.UPDATE;
            case DELETE -> SmartScopes.Permission.DELETE;
            default -> throw refused(operation.getCode(), type);
        };
        if (needed != null && operation != RestOperationTypeEnum.GET_PAGE && !scopes.permits(type, needed, request.getParameters())) {
            throw refused(needed.name().toLowerCase(java.util.Locale.ROOT), type);
        }
    }

    @Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
    public void beforeShowing(IPreResourceShowDetails details, RequestDetails request) {
        SmartScopes scopes = scopes(request);
        if (!scopes.narrows()) {
            return;
        }
        for (int i = 0; i < details.size(); i++) {
            IBaseResource resource = details.getResource(i);
            if (resource == null) {
                continue;
            }
            String type = fhir.getResourceType(resource);
            if (!scopes.permits(type, SmartScopes.Permission.READ, request.getParameters())
                    && !scopes.permits(type, SmartScopes.Permission.SEARCH, request.getParameters())) {
                throw refused("read", type);
            }
        }
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void beforeCreate(IBaseResource resource, RequestDetails request) {
        requireWrite(request, resource, SmartScopes.Permission.CREATE);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void beforeUpdate(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        requireWrite(request, resource, SmartScopes.Permission.UPDATE);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
    public void beforeDelete(IBaseResource resource, RequestDetails request) {
        requireWrite(request, resource, SmartScopes.Permission.DELETE);
    }

    private void requireWrite(RequestDetails request, IBaseResource resource, SmartScopes.Permission permission) {
        SmartScopes scopes = scopes(request);
        String type = fhir.getResourceType(resource);
        if (scopes.narrows() && !scopes.permits(type, permission, null)) {
            throw refused(permission.name().toLowerCase(java.util.Locale.ROOT), type);
        }
    }

    /** The scopes of an HTTP request's caller; none (not narrowing) for what the platform does for itself. */
    private static SmartScopes scopes(RequestDetails request) {
        if (!(request instanceof ServletRequestDetails)) {
            return SmartScopes.parse(null);
        }
        Caller caller = CallerContext.caller(request);
        return SmartScopes.parse(caller == null ? null : caller.scope());
    }

    private static ForbiddenOperationException refused(String interaction, String type) {
        return new ForbiddenOperationException("PHR-AUTHZ-0020: the token's SMART scopes do not permit " + interaction + " on " + type);
    }
}
