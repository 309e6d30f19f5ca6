package org.phrcloud.api.identity;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.institution.InstitutionKey;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.demographics.MasterKeyRotation;
import org.phrcloud.identity.keycloak.KeycloakDirectory;
import org.phrcloud.core.config.PlatformSettings;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;

import java.util.List;

/**
 * {@code /api/identity/admin}: institutions and accounts, for admins at {@code acr=2} only. Institutions are
 * Keycloak groups {@code /institutions/<id>} and get a first signing key; new accounts carry one role, join
 * their institution, and must change the one-time password and set up TOTP at first login. Master-key rotation:
 * how many sealed records each master key holds, and re-wrapping them under the current key.
 */
@Path("identity/admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "identity administration", description = "Institutions and accounts (admin, acr=2)")
@SecurityRequirement(name = "keycloak")
public class AdminResource {
    @Context
    private ServletContext servletContext;
    @Context
    private jakarta.ws.rs.container.ContainerRequestContext request;

    /**
     * @param id   institution id: 2 to 48 lowercase letters, digits, hyphens
     * @param name display name
     */
    public record InstitutionRequest(String id, String name) {
    }

    /** @param keyId the institution's first signing key */
    public record InstitutionCreated(String id, String name, String keyId) {
    }

    /**
     * @param role        practitioner, family-doctor, pharmacist, lab or researcher
     * @param institution required for care givers: the institution they work for
     */
    public record AccountRequest(String username, String email, String firstName, String lastName, String role,
                                 String institution) {
    }

    /** @param temporaryPassword shown once; hand it to the person, who must change it at first login */
    public record AccountCreated(String userId, String username, String role, String institution, String temporaryPassword,
                                 List<String> requiredActions) {
    }

    private KeycloakDirectory directory() {
        return directory(servletContext);
    }

    /** @throws ApiException PHR-API-0430 (503) when account administration is not configured */
    static KeycloakDirectory directory(ServletContext servletContext) {
        KeycloakDirectory directory = SpringBeans.find(servletContext, KeycloakDirectory.class);
        if (directory == null) {
            throw new ApiException("PHR-API-0430: account administration is not configured (PHR_DIRECTORY_CLIENT_SECRET)");
        }
        return directory;
    }

    @POST
    @Path("institutions")
    @Access(Party.ADMIN)
    @Operation(summary = "Create an institution: a Keycloak group /institutions/{id} and its first signing key")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "409", description = "it exists")
    public Response createInstitution(String json) {
        InstitutionRequest body = JsonBodies.read(json, InstitutionRequest.class);
        directory().createInstitution(body.id(), body.name());
        InstitutionKey key = SpringBeans.get(servletContext, InstitutionKeys.class).rotate(body.id());
        return JsonBodies.status(Response.Status.CREATED, new InstitutionCreated(body.id(), body.name(), key.keyId()));
    }

    @GET
    @Path("institutions")
    @Access(Party.ADMIN)
    @Operation(summary = "The institutions, each with its id, name and its accounts' usernames",
            description = "Audited (an AuditEvent of kind search naming the admin).")
    public Response institutions() {
        List<KeycloakDirectory.Institution> institutions = directory().institutions();
        audit("identity admin: " + institutions.size() + " institutions listed");
        return JsonBodies.ok(institutions);
    }

    @GET
    @Path("users")
    @Access(Party.ADMIN)
    @Operation(summary = "The staff accounts (care givers, researchers, admins): name, e-mail, role, institutions, pending first-login steps",
            description = "At most 500 per role. Patients' logins are not listed. Audited (an AuditEvent of kind search naming the admin).")
    public Response accounts() {
        List<KeycloakDirectory.Account> accounts = directory().accounts();
        audit("identity admin: " + accounts.size() + " accounts listed");
        return JsonBodies.ok(accounts);
    }

    /** An AuditEvent of the admin's listing (no patient concerned; counts only). */
    private void audit(String description) {
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails details = org.phrcloud.core.caller.CallerContext.systemRequestAs(AccessFilter.caller(request));
        String requestId = request.getHeaderString("X-Request-ID");
        details.setRequestId(requestId != null && requestId.matches("[A-Za-z0-9._-]{1,64}") ? requestId : java.util.UUID.randomUUID().toString());
        auditor.record(details, "search", 0, description, java.util.Set.of(), List.of(), null);
    }

    @POST
    @Path("users")
    @Access(Party.ADMIN)
    @Operation(summary = "Create a practitioner, family doctor, pharmacist, lab or researcher account",
            description = "The account must change its one-time password and set up TOTP at first login.")
    @APIResponse(responseCode = "201", description = "created, with the one-time password")
    @APIResponse(responseCode = "409", description = "the username or email is taken")
    public Response createAccount(String json) {
        AccountRequest body = JsonBodies.read(json, AccountRequest.class);
        if (body.role() == null) {
            throw new ApiException("PHR-API-0432: username and role are required");
        }
        PhrRole role = PhrRole.fromRoleName(body.role())
                .orElseThrow(() -> new ApiException("PHR-API-0433: unknown role " + body.role()));
        KeycloakDirectory.CreatedAccount account = directory().createAccount(body.username(), body.email(),
                body.firstName(), body.lastName(), role, body.institution());
        return JsonBodies.status(Response.Status.CREATED, new AccountCreated(account.userId(), account.username(),
                role.roleName(), body.institution(), account.temporaryPassword(), account.requiredActions()));
    }

    /**
     * A backend-services client to register (SMART Backend Services).
     *
     * @param clientId its OAuth client id: 3 to 64 lowercase letters, digits, dots, hyphens, underscores
     * @param name     display name; the client id when absent
     * @param jwks     its public keys as a JWK Set (RFC 7517 section 5), or absent when {@code jwksUri} is given
     * @param jwksUri  an https URL where it publishes its JWK Set
     */
    public record SystemRequest(String clientId, String name, com.fasterxml.jackson.databind.JsonNode jwks, String jwksUri) {
    }

    @POST
    @Path("institutions/{institution}/systems")
    @Access(Party.ADMIN)
    @Operation(summary = "Register an institution's system as a SMART backend-services client (private_key_jwt)",
            description = "The system authenticates at the SMART token endpoint with a client assertion (RFC 7523, grant "
                    + "client_credentials) signed by a key of its JWK Set, aud = the issuer of .well-known/smart-configuration, "
                    + "and asks for system/ scopes; its tokens act for the institution.")
    @APIResponse(responseCode = "201", description = "registered, with the system scopes it may ask for")
    @APIResponse(responseCode = "400", description = "bad client id, unknown institution, or keys that are not public signing keys")
    @APIResponse(responseCode = "409", description = "the client id is taken")
    public Response registerSystem(@jakarta.ws.rs.PathParam("institution") String institution, String json) {
        SystemRequest body = JsonBodies.read(json, SystemRequest.class);
        if (body == null) {
            throw new ApiException("PHR-IDENTITY-0510: a client id is 3 to 64 lowercase letters, digits, dots, hyphens or underscores");
        }
        KeycloakDirectory.SystemClient system = directory().createSystemClient(body.clientId(), body.name(), institution,
                body.jwks() == null || body.jwks().isNull() ? null : body.jwks().toString(), body.jwksUri());
        return JsonBodies.status(Response.Status.CREATED, system);
    }

    /**
     * @param current          the master key id that wraps new data keys ({@code PHR_MASTER_KEY_ID})
     * @param recordsByKeyId   master key id -> sealed records (demographics, private keys, institution keys) under it
     */
    public record MasterKeys(String current, java.util.Map<String, Long> recordsByKeyId) {
    }

    @GET
    @Path("master-keys")
    @Access(Party.ADMIN)
    @Operation(summary = "Sealed records per master key: a key with none can leave PHR_MASTER_KEYS",
            description = "Counts only; never key material.")
    public Response masterKeys() {
        MasterKeyRotation rotation = SpringBeans.get(servletContext, MasterKeyRotation.class);
        return JsonBodies.ok(new MasterKeys(SpringBeans.get(servletContext, PlatformSettings.class).masterKeyId(),
                rotation.recordsByMasterKey()));
    }

    @POST
    @Path("master-keys/rotation")
    @Access(Party.ADMIN)
    @Operation(summary = "Re-wrap every sealed record under the current master key (in batches of 500)",
            description = "rewrapped: records moved to the current key; remaining: records left under other keys "
                    + "(altered records, logged as PHR-IDENTITY-0221). 409 when a record's key is not in PHR_MASTER_KEYS.")
    public Response rotateMasterKey() {
        try {
            return JsonBodies.ok(SpringBeans.get(servletContext, MasterKeyRotation.class).run(500));
        } catch (IllegalArgumentException e) {
            throw new ApiException("PHR-API-0445: " + e.getMessage());
        }
    }
}
