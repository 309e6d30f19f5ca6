package org.phrcloud.api.identity;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keycloak.KeycloakDirectory;
import org.phrcloud.identity.mpi.Identifier;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;
import org.phrcloud.identity.mpi.UnknownIdentityException;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;

import java.util.Set;

import static org.phrcloud.api.identity.IdentityMessages.HistoryEntry;
import static org.phrcloud.api.identity.IdentityMessages.IdentitySummary;
import static org.phrcloud.api.identity.IdentityMessages.InstitutionKeySummary;
import static org.phrcloud.api.identity.IdentityMessages.KeyFileRequest;
import static org.phrcloud.api.identity.IdentityMessages.LoginLink;
import static org.phrcloud.api.identity.IdentityMessages.MatchRequest;
import static org.phrcloud.api.identity.IdentityMessages.MatchResult;
import static org.phrcloud.api.identity.IdentityMessages.RegistrationRequest;
import static org.phrcloud.api.identity.IdentityMessages.RegistrationResult;

/**
 * {@code /api/identity}: register, resolve a pseudonym, match, link and unlink FHIR Patients and logins, hand
 * the private key to the patient, and publish institution keys (ARCHITECTURE.md "Identity"). Who may call each
 * operation is in its {@link Access}; care givers act only on identities of their own institutions, patients
 * only on their own.
 */
@Path("identity")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "identity", description = "Master patient index: pseudonyms, matching, links, keys")
@SecurityRequirement(name = "keycloak")
public class IdentityResource {
    private static final int MIN_PASSPHRASE = 12;

    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    private MasterPatientIndex mpi() {
        return SpringBeans.get(servletContext, MasterPatientIndex.class);
    }

    private Caller caller() {
        return AccessFilter.caller(request);
    }

    @POST
    @Path("patients")
    @Access({Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.ADMIN})
    @Operation(summary = "Register a person, or find the identity that owns one of their identifiers",
            description = "Answer: {identity, keyFile}. A new identity gets an ECDSA P-256 key pair; its pseudonym is the hex "
                    + "SHA-256 of the public key. With a passphrase (patient present) the private key comes back at once as "
                    + "keyFile and is never stored; without, it stays sealed until the patient takes it (key-file).")
    @APIResponse(responseCode = "201", description = "registered; Location names the identity")
    @APIResponse(responseCode = "200", description = "an identity already owned one of the identifiers")
    @APIResponse(responseCode = "409", description = "the identifiers belong to two identities")
    public Response register(String json, @Context UriInfo uri) {
        RegistrationRequest body = JsonBodies.read(json, RegistrationRequest.class);
        if (body == null || body.demographics() == null) {
            throw new ApiException("PHR-API-0410: demographics are required");
        }
        if (body.passphrase() != null && body.passphrase().length() < MIN_PASSPHRASE) {
            throw new ApiException("PHR-API-0414: the passphrase needs at least " + MIN_PASSPHRASE + " characters");
        }
        String home = homeInstitution(body.homeInstitution());
        MasterPatientIndex.Resolution r = mpi().resolveOrRegister(body.demographics(), home, caller().username(),
                body.passphrase() == null ? null : body.passphrase().toCharArray());
        IdentitySummary summary = IdentitySummary.of(r.identity());
        RegistrationResult result;
        try {
            result = new RegistrationResult(summary, r.keyFile() == null ? null : JsonBodies.MAPPER.readTree(r.keyFile()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("PHR-API-0502: the key file does not parse", e);
        }
        return r.registered()
                ? Response.fromResponse(JsonBodies.status(Response.Status.CREATED, result))
                        .location(uri.getAbsolutePathBuilder().path(summary.pseudonym()).build()).build()
                : JsonBodies.ok(result);
    }

    @GET
    @Path("institutions")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.PATIENT, Party.RESEARCHER, Party.ADMIN}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The network's institutions by name: id and display name, sorted by id",
            description = "What audit events, access logs and chain blocks name by id, in words (no members, no keys). "
                    + "Every signed-in party may read it; 503 when account administration is not configured.")
    public Response institutions() {
        return JsonBodies.ok(AdminResource.directory(servletContext).institutionNames());
    }

    @GET
    @Path("me")
    @Access(value = Party.PATIENT, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The caller's own identity: the one their login is linked to (pseudonym, linked Patients, key state)",
            description = "The portal starts here: the pseudonym addresses the patient's chain, consents and key file.")
    @APIResponse(responseCode = "404", description = "this login is not linked to an identity")
    public Response me() {
        return mpi().findByKeycloakUserId(caller().subject()).map(IdentitySummary::of).map(JsonBodies::ok)
                .orElseThrow(() -> new ApiException("PHR-API-0421: this login is not linked to a patient identity"));
    }

    @GET
    @Path("patients/{pseudonym}")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.ADMIN, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Resolve a pseudonym: public key, home institution, linked Patients (no demographics)")
    @APIResponse(responseCode = "404", description = "no such pseudonym")
    public Response resolve(@PathParam("pseudonym") String pseudonym) {
        PatientIdentity identity = identity(pseudonym);
        if (onlyPatient()) {
            requireOwn(identity);
        }
        return JsonBodies.ok(IdentitySummary.of(identity));
    }

    @GET
    @Path("patients")
    @Access({Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.ADMIN})
    @Operation(summary = "Find the identity of an identifier (blind index, exact) or of a FHIR Patient id")
    @APIResponse(responseCode = "404", description = "no identity")
    public Response find(@QueryParam("identifier") String identifier, @QueryParam("patientId") String patientId) {
        if ((identifier == null) == (patientId == null)) {
            throw new ApiException("PHR-API-0416: give either identifier=system|value or patientId");
        }
        java.util.Optional<PatientIdentity> found;
        if (identifier != null) {
            int bar = identifier.indexOf('|');
            if (bar <= 0 || bar == identifier.length() - 1) {
                throw new ApiException("PHR-API-0417: identifier is system|value (FHIR token search syntax)");
            }
            found = mpi().findByIdentifier(new Identifier(identifier.substring(0, bar), identifier.substring(bar + 1)));
        } else {
            found = mpi().findByPatientId(patientId);
        }
        return found.map(IdentitySummary::of).map(JsonBodies::ok)
                .orElseThrow(() -> new ApiException("PHR-API-0418: no identity matches"));
    }

    @POST
    @Path("match")
    @Access({Party.INSTITUTION_SYSTEM, Party.CARE_GIVER})
    @Operation(summary = "Ranked candidates for a person",
            description = "Identifier matches first (certain); then people born the same day, scored by Jaro-Winkler "
                    + "similarity of family and given name and by gender (probable >= 0.9, possible >= 0.75).")
    public Response match(String json) {
        MatchRequest body = JsonBodies.read(json, MatchRequest.class);
        if (body == null || body.demographics() == null) {
            throw new ApiException("PHR-API-0410: demographics are required");
        }
        int limit = body.limit() == null ? 10 : body.limit();
        if (limit < 1 || limit > 50) {
            throw new ApiException("PHR-API-0411: limit is 1 to 50");
        }
        return JsonBodies.ok(mpi().match(body.demographics(), limit).stream().map(MatchResult::of).toList());
    }

    @PUT
    @Path("patients/{pseudonym}/patient-links/{patientId}")
    @Access({Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.ADMIN})
    @Operation(summary = "Link a FHIR Patient to the identity (recorded in its history)")
    @APIResponse(responseCode = "204", description = "linked (or already was)")
    @APIResponse(responseCode = "404", description = "no such pseudonym or Patient")
    @APIResponse(responseCode = "409", description = "the Patient belongs to another identity")
    public Response link(@PathParam("pseudonym") String pseudonym, @PathParam("patientId") String patientId) {
        requireInstitutionOf(identity(pseudonym));
        try {
            SpringBeans.get(servletContext, DaoRegistry.class).getResourceDao(Patient.class)
                    .read(new IdType("Patient", patientId), new SystemRequestDetails());
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            throw new ApiException("PHR-API-0412: there is no Patient/" + patientId);
        }
        mpi().linkPatient(pseudonym, patientId, caller().username());
        setLaunchContext(pseudonym);
        return Response.noContent().build();
    }

    @DELETE
    @Path("patients/{pseudonym}/patient-links/{patientId}")
    @Access({Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.ADMIN})
    @Operation(summary = "Unlink a FHIR Patient from the identity (recorded in its history)")
    @APIResponse(responseCode = "204", description = "unlinked")
    @APIResponse(responseCode = "404", description = "not linked")
    public Response unlink(@PathParam("pseudonym") String pseudonym, @PathParam("patientId") String patientId) {
        requireInstitutionOf(identity(pseudonym));
        mpi().unlinkPatient(pseudonym, patientId, caller().username());
        return Response.noContent().build();
    }

    @PUT
    @Path("patients/{pseudonym}/login")
    @Access(Party.ADMIN)
    @Operation(summary = "Link the patient's Keycloak login, which opens their own record to them")
    @APIResponse(responseCode = "204", description = "linked")
    @APIResponse(responseCode = "409", description = "the login belongs to another identity")
    public Response linkLogin(@PathParam("pseudonym") String pseudonym, String json) {
        LoginLink body = JsonBodies.read(json, LoginLink.class);
        if (body == null || body.keycloakUserId() == null || !body.keycloakUserId().matches("[0-9a-f-]{36}")) {
            throw new ApiException("PHR-API-0413: keycloakUserId is a Keycloak user id (UUID)");
        }
        mpi().linkLogin(pseudonym, body.keycloakUserId(), caller().username());
        setLaunchContext(pseudonym);
        return Response.noContent().build();
    }

    /**
     * Gives the identity's login its SMART launch context ({@link KeycloakDirectory#setLaunchContext}) once it has both a
     * login and a FHIR Patient: the Patient created first (lowest HAPI id) when there are several. Without account
     * administration configured (no {@code PHR_DIRECTORY_CLIENT_SECRET}) a SMART app gets no {@code patient}.
     *
     * @throws ApiException PHR-IDENTITY-0507/0508 (502) when Keycloak fails; the link itself is kept
     */
    private void setLaunchContext(String pseudonym) {
        KeycloakDirectory directory = SpringBeans.find(servletContext, KeycloakDirectory.class);
        PatientIdentity identity = identity(pseudonym);
        if (directory == null || identity.keycloakUserId() == null || identity.patientIds().isEmpty()) {
            return;
        }
        String first = identity.patientIds().stream()
                .min(java.util.Comparator.comparingInt(String::length).thenComparing(java.util.Comparator.naturalOrder())).orElseThrow();
        directory.setLaunchContext(identity.keycloakUserId(), first);
    }

    @POST
    @Path("patients/{pseudonym}/key-file")
    @Access(Party.PATIENT)
    @Operation(summary = "Hand the private key to the patient, once",
            description = "The key file (format phr-patient-key v1: PBKDF2-HMAC-SHA256 600,000 iterations, AES-256-GCM) "
                    + "is encrypted under the given passphrase; afterwards the server no longer has the private key.")
    @APIResponse(responseCode = "200", description = "the key file")
    @APIResponse(responseCode = "410", description = "it was handed over before")
    public Response keyFile(@PathParam("pseudonym") String pseudonym, String json) {
        requireOwn(identity(pseudonym));
        KeyFileRequest body = JsonBodies.read(json, KeyFileRequest.class);
        if (body == null || body.passphrase() == null || body.passphrase().length() < MIN_PASSPHRASE) {
            throw new ApiException("PHR-API-0414: the passphrase needs at least " + MIN_PASSPHRASE + " characters");
        }
        return mpi().handOverKeyFile(pseudonym, body.passphrase().toCharArray(), caller().username())
                .map(file -> Response.ok(file, MediaType.APPLICATION_JSON_TYPE).build())
                .orElseThrow(() -> new ApiException("PHR-API-0415: the key was handed over before"));
    }

    @GET
    @Path("patients/{pseudonym}/history")
    @Access(value = {Party.ADMIN, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Every registration, link, unlink and key hand-over of the identity, oldest first")
    public Response history(@PathParam("pseudonym") String pseudonym) {
        PatientIdentity identity = identity(pseudonym);
        if (onlyPatient()) {
            requireOwn(identity);
        }
        return JsonBodies.ok(mpi().history(pseudonym).stream().map(HistoryEntry::of).toList());
    }

    @GET
    @Path("institutions/keys")
    @Produces({"application/jwk-set+json", MediaType.APPLICATION_JSON})
    @Access(Party.ANYONE)
    @Operation(summary = "Public signing keys of every institution, current and retired, as a JWK Set (RFC 7517)")
    public String institutionKeys() {
        return SpringBeans.get(servletContext, InstitutionKeys.class).jwkSet().toString(true);
    }

    @POST
    @Path("institutions/{institution}/keys")
    @Access(Party.ADMIN)
    @Operation(summary = "Make a new current signing key for the institution; the old one is retired but stays published")
    @APIResponse(responseCode = "201", description = "the new key")
    public Response rotateInstitutionKey(@PathParam("institution") String institution, @Context UriInfo uri) {
        InstitutionKeySummary key = InstitutionKeySummary.of(SpringBeans.get(servletContext, InstitutionKeys.class).rotate(institution));
        return JsonBodies.status(Response.Status.CREATED, key);
    }

    private PatientIdentity identity(String pseudonym) {
        return mpi().findByPseudonym(pseudonym)
                .orElseThrow(() -> new UnknownIdentityException("PHR-IDENTITY-0314: no identity with this pseudonym"));
    }

    private boolean onlyPatient() {
        Set<Party> parties = Party.of(caller());
        return parties.contains(Party.PATIENT) && !parties.contains(Party.ADMIN) && !parties.contains(Party.CARE_GIVER);
    }

    private void requireOwn(PatientIdentity identity) {
        if (!caller().subject().equals(identity.keycloakUserId())) {
            throw new ApiException("PHR-API-0420: this is not your identity");
        }
    }

    /** Care givers act on identities of their own institutions; systems and admins on every one. */
    private void requireInstitutionOf(PatientIdentity identity) {
        Caller t = caller();
        if (Party.of(t).contains(Party.CARE_GIVER) && !t.institutions().contains(identity.homeInstitution())) {
            throw new ApiException("PHR-API-0423: this identity belongs to another institution");
        }
    }

    private String homeInstitution(String requested) {
        Caller t = caller();
        Set<Party> parties = Party.of(t);
        if (parties.contains(Party.ADMIN) && !parties.contains(Party.CARE_GIVER)) {
            return requested;
        }
        if (requested == null) {
            return t.institutions().size() == 1 ? t.institutions().iterator().next() : null;
        }
        if (!t.institutions().contains(requested)) {
            throw new ApiException("PHR-API-0422: you may register patients only for your own institution");
        }
        return requested;
    }
}
