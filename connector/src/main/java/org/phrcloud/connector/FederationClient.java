package org.phrcloud.connector;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;

import java.security.PrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Calls to other deployments of the network on behalf of a person (ARCHITECTURE.md "Federation"), each request
 * authenticated by a new {@link ClientAssertion} of the calling institution. Built on HAPI FHIR's generic client.
 *
 * <p>Locating a patient (the cross-community patient discovery step of IHE XCPD, made with the FHIR operation of IHE
 * PDQm, ITI-119 {@code Patient/$match}): every other admitted institution is asked with the demographics the caller
 * has; each answers from its master patient index with the patients it matches, as Patients that carry only their
 * pseudonym (no demographics the caller did not send); the chain's {@code PatientRegistry} then says where each
 * pseudonym's chain lives.
 */
public final class FederationClient {
    /** The identifier system of a pseudonym in a {@code $match} answer. */
    public static final String PSEUDONYM_SYSTEM = "urn:phr:pseudonym";
    /** FHIR's match-grade extension on a {@code $match} entry's search element. */
    public static final String MATCH_GRADE = "http://hl7.org/fhir/StructureDefinition/match-grade";

    private final FhirContext fhir;
    private final NetworkRegistry registry;
    private final java.util.function.Supplier<Signer> signer;
    private final Clock clock;

    /**
     * The calling institution's signing key and names.
     *
     * @param key       its current P-256 signing key
     * @param keyId     that key's {@code kid} in the JWK Set it published on chain
     * @param accountId its CAIP-10 account id
     * @param endpoint  its own deployment's endpoint ({@code organization_id})
     */
    public record Signer(PrivateKey key, String keyId, String accountId, String endpoint) {
    }

    /**
     * A patient found at another institution.
     *
     * @param pseudonym  the patient's pseudonym (64 hex digits)
     * @param patientId  the Patient's id at the answering institution
     * @param grade      {@code certain}, {@code probable} or {@code possible} (FHIR match-grade)
     * @param score      the answering index's score, 0 to 1
     * @param answeredBy the institution that matched the patient
     * @param home       where the chain lives per the PatientRegistry; empty before its first anchor
     */
    public record Match(String pseudonym, String patientId, String grade, double score,
                        NetworkRegistry.Institution answeredBy, Optional<NetworkRegistry.Home> home) {
    }

    /**
     * The outcome of asking the network.
     *
     * @param matches    what the institutions matched, best score first
     * @param unanswered institutions that could not be asked or refused, with the reason (no person named)
     */
    public record Located(List<Match> matches, List<String> unanswered) {
    }

    /**
     * @param signer the institution's current signing key and names, asked for each request (keys rotate)
     * @see #FederationClient(NetworkRegistry, java.util.function.Supplier, Clock) with a FHIR R4 context of its own
     */
    public FederationClient(NetworkRegistry registry, java.util.function.Supplier<Signer> signer, Clock clock) {
        this(FhirContext.forR4(), registry, signer, clock);
    }

    /**
     * @param fhir a FHIR R4 context this client configures (its clients do not ask a server for its
     *             CapabilityStatement before the first request); not one a server uses
     */
    public FederationClient(FhirContext fhir, NetworkRegistry registry, java.util.function.Supplier<Signer> signer, Clock clock) {
        this.fhir = fhir;
        this.fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        this.registry = registry;
        this.signer = signer;
        this.clock = clock;
    }

    /** A FHIR client of another deployment whose every request carries a new assertion made for {@code party}. */
    public IGenericClient client(NetworkRegistry.Institution institution, ActingParty party) {
        IGenericClient client = fhir.newRestfulGenericClient(institution.fhirBase());
        client.registerInterceptor(new IClientInterceptor() {
            @Override
            public void interceptRequest(IHttpRequest request) {
                request.addHeader("Authorization", "Bearer " + assertion(institution, party));
            }

            @Override
            public void interceptResponse(IHttpResponse response) {
            }
        });
        return client;
    }

    /** A new client assertion of this institution for one request to {@code institution} on behalf of {@code party}. */
    private String assertion(NetworkRegistry.Institution institution, ActingParty party) {
        Signer s = signer.get();
        return ClientAssertion.sign(s.key(), s.keyId(), s.accountId(), s.endpoint(), institution.endpoint(), party, clock.instant());
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();

    /**
     * A request to another deployment on behalf of {@code party}, with a new assertion made for it: to its FHIR endpoint
     * or JSON API, the path relative to its endpoint.
     *
     * @param path        e.g. {@code fhir/Observation?patient=12} or {@code api/consent/requests}; never absolute
     * @param contentType the body's media type; null without a body
     * @return the answer as it came (status, body)
     * @throws java.io.IOException when the deployment cannot be reached
     */
    public java.net.http.HttpResponse<String> send(NetworkRegistry.Institution institution, ActingParty party, String method, String path,
                                                   String contentType, String body) throws java.io.IOException, InterruptedException {
        if (path.startsWith("/") || path.contains("://") || path.contains("..")) {
            throw new IllegalArgumentException("PHR-FEDERATION-0412: a path relative to the other deployment's endpoint is required");
        }
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(institution.endpoint().replaceAll("/+$", "") + "/" + path))
                .timeout(java.time.Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + assertion(institution, party))
                .header("Accept", path.startsWith("fhir") ? "application/fhir+json" : "application/json")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The head of a patient's chain at its home.
     *
     * @param height the latest block's height (0 for the first block)
     * @param hash   its hash, 64 hex digits
     */
    public record ChainHead(long height, String hash) {
    }

    /**
     * The home refused a request or could not be reached.
     *
     * @param status the home's HTTP status (502 when it could not be reached)
     * @param body   its answer as it came (an RFC 9457 problem naming a {@code PHR-...} code), or the reason
     */
    public static final class Refused extends Exception {
        private final int status;
        private final String body;

        public Refused(int status, String body) {
            super("the home answered " + status);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** How often {@link #appendRecords} makes its block again when the chain moved on meanwhile. */
    static final int APPEND_ATTEMPTS = 3;

    /**
     * The head of a patient's chain at its home ({@code GET <home>/api/ledger/patients/{pseudonym}/head}).
     *
     * @return empty if the home keeps no chain of this pseudonym
     * @throws Refused when the home refuses or cannot be reached
     */
    public Optional<ChainHead> head(NetworkRegistry.Institution home, ActingParty party, String pseudonym) throws Refused {
        java.net.http.HttpResponse<String> answer = call(home, party, "GET", "api/ledger/patients/" + pseudonym + "/head", null);
        if (answer.statusCode() == 404) {
            return Optional.empty();
        }
        if (answer.statusCode() != 200) {
            throw new Refused(answer.statusCode(), answer.body());
        }
        try {
            com.fasterxml.jackson.databind.JsonNode head = JSON.readTree(answer.body());
            return Optional.of(new ChainHead(head.path("height").asLong(), head.path("hash").asText()));
        } catch (java.io.IOException e) {
            throw new Refused(502, "PHR-FEDERATION-0502: the home's answer is not JSON");
        }
    }

    /**
     * Appends a block recording records kept here to a patient's chain at its home (ARCHITECTURE.md "Federation",
     * records kept elsewhere): reads the head, makes the block after it (author key {@code <account id>#<kid>},
     * practitioner {@code <subject_id>@<account id>}), signs it with this institution's key and sends it
     * ({@code POST <home>/api/ledger/patients/{pseudonym}/blocks}); when the chain moved on meanwhile (409
     * {@code PHR-LEDGER-0302}) it makes the block again, {@value #APPEND_ATTEMPTS} times at most.
     *
     * @param entries the records, each named by its absolute URL here ({@code <endpoint>fhir/<type>/<id>})
     * @return the block the home appended
     * @throws Refused the home's refusal (e.g. 403 without consent, 404 without a chain there), or 409 after the attempts
     */
    public org.phrcloud.ledger.chain.Block appendRecords(NetworkRegistry.Institution home, ActingParty party, String pseudonym,
                                                        List<org.phrcloud.ledger.chain.Entry> entries) throws Refused {
        Signer self = this.signer.get();
        Refused last = null;
        for (int attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
            ChainHead head = head(home, party, pseudonym)
                    .orElseThrow(() -> new Refused(404, "PHR-FEDERATION-0413: no institution holds a chain of this pseudonym"));
            org.phrcloud.ledger.chain.Block block = new org.phrcloud.ledger.chain.Block(org.phrcloud.ledger.chain.Block.VERSION,
                    pseudonym, head.height() + 1, java.util.HexFormat.of().parseHex(head.hash()), clock.millis(),
                    NetworkRegistry.authorKeyId(self.accountId(), self.keyId()), party.subjectId() + "@" + self.accountId(), entries, null)
                    .signedWith(signer(self.key()));
            String body = JSON.createObjectNode().put("encoding", java.util.HexFormat.of().formatHex(block.canonicalEncoding()))
                    .put("signature", java.util.Base64.getEncoder().encodeToString(block.signature())).toString();
            java.net.http.HttpResponse<String> answer = call(home, party, "POST", "api/ledger/patients/" + pseudonym + "/blocks", body);
            if (answer.statusCode() == 201) {
                return block;
            }
            last = new Refused(answer.statusCode(), answer.body());
            if (answer.statusCode() != 409 || !answer.body().contains("PHR-LEDGER-0302")) {
                throw last;
            }
        }
        throw last;
    }

    /**
     * A {@link org.phrcloud.ledger.chain.BlockSigner} with an institution's P-256 private key: the P1363 ECDSA
     * signature of SHA-256 of the block hash (JCA {@code SHA256withECDSAinP1363Format}), whatever key id it is asked for.
     */
    static org.phrcloud.ledger.chain.BlockSigner signer(PrivateKey key) {
        return (keyId, blockHash) -> {
            try {
                java.security.Signature signature = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
                signature.initSign(key);
                signature.update(blockHash);
                return signature.sign();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("PHR-FEDERATION-0506: a block cannot be signed with this key", e);
            }
        };
    }

    private java.net.http.HttpResponse<String> call(NetworkRegistry.Institution home, ActingParty party, String method, String path,
                                                    String json) throws Refused {
        try {
            return send(home, party, method, path, json == null ? null : "application/json", json);
        } catch (java.io.IOException e) {
            throw new Refused(502, "PHR-FEDERATION-0502: the patient's home deployment cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(502, "PHR-FEDERATION-0502: interrupted");
        }
    }

    /**
     * Asks every other admitted institution for the patient ({@code Patient/$match}, at most {@code count} each).
     *
     * @param query the demographics known here: identifiers, or name, birth date and gender
     * @throws NetworkRegistry.RegistryUnavailableException if the chain cannot be read
     */
    public Located locate(Patient query, ActingParty party, int count) {
        List<Match> matches = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        String self = signer.get().accountId();
        for (NetworkRegistry.Institution institution : registry.institutions()) {
            if (institution.accountId().equals(self)) {
                continue;
            }
            Parameters in = new Parameters();
            in.addParameter().setName("resource").setResource(query);
            in.addParameter().setName("onlyCertainMatches").setValue(new BooleanType(false));
            in.addParameter().setName("count").setValue(new IntegerType(count));
            Bundle answer;
            try {
                answer = client(institution, party).operation().onType(Patient.class).named("$match").withParameters(in)
                        .returnResourceType(Bundle.class).execute();
            } catch (RuntimeException e) {
                unanswered.add(institution.accountId() + " (" + institution.endpoint() + "): " + e.getMessage());
                continue;
            }
            for (Bundle.BundleEntryComponent entry : answer.getEntry()) {
                if (!(entry.getResource() instanceof Patient patient)) {
                    continue;
                }
                String pseudonym = patient.getIdentifier().stream().filter(i -> PSEUDONYM_SYSTEM.equals(i.getSystem()))
                        .map(org.hl7.fhir.r4.model.Identifier::getValue).findFirst().orElse(null);
                if (pseudonym == null || !pseudonym.matches("[0-9a-f]{64}")) {
                    continue;
                }
                Extension grade = entry.getSearch().getExtensionByUrl(MATCH_GRADE);
                matches.add(new Match(pseudonym, patient.getIdElement().getIdPart(),
                        grade == null ? "possible" : grade.getValue().primitiveValue(),
                        entry.getSearch().hasScore() ? entry.getSearch().getScore().doubleValue() : 0,
                        institution, registry.home(pseudonym)));
            }
        }
        matches.sort((a, b) -> Double.compare(b.score(), a.score()));
        return new Located(matches, unanswered);
    }
}
