package org.phrcloud.it.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.standards.fhir.load.LoadSummary;
import org.phrcloud.standards.fhir.load.TransactionBundleLoader;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The foundation end to end: the EAR on a real Payara Server (Arquillian, managed), tokens from a real
 * Keycloak, Synthea patients loaded over FHIR, a real anvil node. Issue "Foundation", "Done when".
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FhirServerIT {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Synthea's patients carry an identifier of this system; other test classes add patients of their own. */
    private static final ca.uhn.fhir.rest.gclient.ICriterion<?> SYNTHEA_PATIENTS =
            new TokenClientParam("identifier").hasSystemWithAnyCode("https://github.com/synthetichealth/synthea");
    private static final String MRN_SYSTEM = "urn:phr:it:mrn";

    private static Platform platform;
    private static LoadSummary firstLoad;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void loadSyntheaPatients() throws IOException {
        platform = PlatformExtension.platform();
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        FHIR.getRestfulClientFactory().setSocketTimeout(10 * 60 * 1000);
        firstLoad = platform.loadSyntheaOnce(FHIR);
    }

    private static TransactionBundleLoader loader() {
        return platform.syntheaLoader(FHIR);
    }

    private static IGenericClient client(String token) {
        IGenericClient client = FHIR.newRestfulGenericClient(platform.fhirBase());
        client.registerInterceptor(new BearerTokenAuthInterceptor(token));
        return client;
    }

    private static IGenericClient practitioner() throws IOException {
        return client(platform.stepUpToken("demo-practitioner"));
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(platform.fhirBase() + path)).timeout(Duration.ofMinutes(2))
                .header("Accept", "application/fhir+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/fhir+json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertOperationOutcome(HttpResponse<String> response) throws IOException {
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.path("resourceType").asText()).as(response.body()).isEqualTo("OperationOutcome");
        assertThat(json.path("issue").get(0).path("severity").asText()).isIn("error", "fatal");
    }

    /** The id of a loaded Synthea patient (the first a search returns). */
    private static String aPatientId() throws IOException {
        return practitioner().search().forResource(Patient.class).where(SYNTHEA_PATIENTS).returnBundle(Bundle.class).execute()
                .getEntryFirstRep().getResource().getIdElement().getIdPart();
    }

    private static int patientsWithMrn(String mrn) throws IOException {
        Bundle found = practitioner().search().forResource(Patient.class)
                .where(new TokenClientParam("identifier").exactly().systemAndCode(MRN_SYSTEM, mrn))
                .returnBundle(Bundle.class).execute();
        return found.getEntry().size();
    }

    @Test
    @Order(1)
    void capabilityStatementIsPublic() throws Exception {
        HttpResponse<String> r = send("GET", "/metadata", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        CapabilityStatement cs = FHIR.newJsonParser().parseResource(CapabilityStatement.class, r.body());
        assertThat(cs.getFhirVersion().toCode()).isEqualTo("4.0.1");
        assertThat(cs.getRestFirstRep().getResource()).extracting(CapabilityStatement.CapabilityStatementRestResourceComponent::getType)
                .contains("Patient", "Observation", "Consent", "AuditEvent");
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(strings = {"", "Bearer", "Bearer not-a-jwt", "Basic ZGVtbzpkZW1v",
            "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJl"})
    @Order(2)
    void everyOtherCallWithoutAValidTokenIs401(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(platform.fhirBase() + "/Patient")).GET()
                .header("Accept", "application/fhir+json");
        if (!authorization.isEmpty()) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertOperationOutcome(r);
        assertThat(r.body()).doesNotContain("Patient/");
    }

    @Test
    @Order(3)
    void aPatientSearchReturnsExactlyTheLoadedSyntheaPatients() throws IOException {
        Set<String> expected = new HashSet<>();
        try (Stream<Path> files = Files.list(platform.syntheaFolder())) {
            for (Path f : files.filter(p -> !p.getFileName().toString().matches("(hospital|practitioner)Information.*")).toList()) {
                Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, Files.readString(f));
                // the parser gives an entry's resource its fullUrl as id: Synthea's is urn:uuid:<id>
                b.getEntry().stream().filter(e -> e.getResource() instanceof Patient)
                        .forEach(e -> expected.add(e.getFullUrl().replace("urn:uuid:", "")));
            }
        }
        assertThat(expected).isNotEmpty();
        assertThat(firstLoad.patients()).isEqualTo(expected.size());
        assertThat(firstLoad.created()).isEqualTo(firstLoad.resources());

        Bundle found = practitioner().search().forResource(Patient.class).where(SYNTHEA_PATIENTS).count(200)
                .returnBundle(Bundle.class).execute();
        assertThat(found.getTotal()).isEqualTo(expected.size());
        assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @Order(4)
    void anObservationCreatedForAPatientReadsBack() throws IOException {
        IGenericClient fhir = practitioner();
        String patientId = aPatientId();
        Observation heartRate = new Observation();
        heartRate.setStatus(Observation.ObservationStatus.FINAL);
        heartRate.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4").setDisplay("Heart rate");
        heartRate.setSubject(new Reference("Patient/" + patientId));
        heartRate.setValue(new Quantity().setValue(72).setUnit("/min").setSystem("http://unitsofmeasure.org").setCode("/min"));

        MethodOutcome created = fhir.create().resource(heartRate).execute();
        assertThat(created.getCreated()).isTrue();

        Observation read = fhir.read().resource(Observation.class).withId(created.getId().toUnqualifiedVersionless()).execute();
        assertThat(read.getCode().getCodingFirstRep().getCode()).isEqualTo("8867-4");
        assertThat(read.getValueQuantity().getValue()).isEqualByComparingTo("72");
        assertThat(read.getSubject().getReference()).isEqualTo("Patient/" + patientId);
        assertThat(read.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    @Order(5)
    void malformedJsonIs400WithAnOperationOutcome() throws Exception {
        HttpResponse<String> r = send("POST", "/Patient", platform.stepUpToken("demo-practitioner"), "{\"resourceType\":\"Patient\",");
        assertThat(r.statusCode()).isEqualTo(400);
        assertOperationOutcome(r);
    }

    @Test
    @Order(6)
    void anUnknownResourceTypeIs404WithAnOperationOutcome() throws Exception {
        HttpResponse<String> r = send("POST", "/Spaceship", platform.stepUpToken("demo-practitioner"), "{\"resourceType\":\"Spaceship\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertOperationOutcome(r);
        HttpResponse<String> read = send("GET", "/Spaceship/1", platform.stepUpToken("demo-practitioner"), null);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(404);
        assertOperationOutcome(read);
    }

    @Test
    @Order(7)
    void anInvalidResourceIs422AndNothingIsWritten() throws Exception {
        String mrn = UUID.randomUUID().toString();
        // Patient.gender has a required binding; "robot" is not in it
        String body = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + MRN_SYSTEM + "\",\"value\":\"" + mrn
                + "\"}],\"gender\":\"robot\"}";
        HttpResponse<String> r = send("POST", "/Patient", platform.stepUpToken("demo-practitioner"), body);
        assertThat(r.statusCode()).isEqualTo(422);
        assertOperationOutcome(r);
        assertThat(patientsWithMrn(mrn)).isZero();

        // an Observation without its required status and code
        HttpResponse<String> noStatus = send("POST", "/Observation", platform.stepUpToken("demo-practitioner"),
                "{\"resourceType\":\"Observation\",\"valueString\":\"x\"}");
        assertThat(noStatus.statusCode()).isEqualTo(422);
        assertOperationOutcome(noStatus);
    }

    @Test
    @Order(8)
    void aFailingTransactionWritesNothing() throws IOException {
        String mrn = UUID.randomUUID().toString();
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient p = new Patient();
        p.addIdentifier().setSystem(MRN_SYSTEM).setValue(mrn);
        p.setGender(Enumerations.AdministrativeGender.FEMALE);
        tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(p).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        o.setSubject(new Reference("Patient/does-not-exist-" + mrn)); // referential integrity fails inside the transaction
        tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(o).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");

        IGenericClient fhir = practitioner();
        assertThatThrownBy(() -> fhir.transaction().withBundle(tx).execute())
                .isInstanceOfSatisfying(BaseServerResponseException.class, e -> {
                    assertThat(e.getStatusCode()).isBetween(400, 499);
                    assertThat(e.getOperationOutcome()).isNotNull();
                });
        assertThat(patientsWithMrn(mrn)).isZero();
    }

    @Test
    @Order(9)
    void aSyntheaPatientReadBackValidatesWithZeroErrorsOffline() throws IOException {
        IGenericClient fhir = practitioner();
        List<Bundle.BundleEntryComponent> everything = new ArrayList<>();
        Bundle page = fhir.operation().onInstance(new IdType("Patient", aPatientId()))
                .named("$everything").withNoParameters(Parameters.class).returnResourceType(Bundle.class).execute();
        everything.addAll(page.getEntry());
        while (page.getLink(Bundle.LINK_NEXT) != null) {
            page = fhir.loadPage().next(page).execute();
            everything.addAll(page.getEntry());
        }
        assertThat(everything).hasSizeGreaterThan(10);

        ValidationSupportChain support = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
                new CommonCodeSystemsTerminologyService(FHIR), new InMemoryTerminologyServerValidationSupport(FHIR),
                new SnapshotGeneratingValidationSupport(FHIR));
        FhirValidator validator = FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(support));
        List<String> errors = new ArrayList<>();
        for (Bundle.BundleEntryComponent e : everything) {
            for (SingleValidationMessage m : validator.validateWithResult(e.getResource()).getMessages()) {
                if (m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()) {
                    errors.add(e.getResource().getIdElement().toUnqualifiedVersionless() + " " + m.getLocationString() + ": " + m.getMessage());
                }
            }
        }
        assertThat(errors).as("validation errors in %d resources", everything.size()).isEmpty();
    }

    @Test
    @Order(10)
    void loadingTheSameDataAgainCreatesNothing() throws IOException {
        LoadSummary again = loader().loadSyntheaFolder(platform.syntheaFolder());
        assertThat(again.created()).isZero();
        assertThat(again.unchanged()).isEqualTo(firstLoad.resources());
        Bundle found = practitioner().search().forResource(Patient.class).where(SYNTHEA_PATIENTS)
                .summaryMode(ca.uhn.fhir.rest.api.SummaryEnum.COUNT).returnBundle(Bundle.class).execute();
        assertThat(found.getTotal()).isEqualTo(firstLoad.patients());
    }

    /**
     * Issue 25, part 4: a second, different Synthea population (another seed) loaded after the first. Practitioners
     * that both populations have (the same NPI) are one Practitioner afterwards, at the id the first load gave it, so the
     * first population's references to it still resolve; the second population's conditional references to it are no
     * longer ambiguous (they failed with HAPI-2207 when each load put its own copy); loading it again creates nothing.
     */
    @Test
    @Order(11)
    void aSecondPopulationMergesTheSharedPractitionersByNpiAndKeepsTheFirstOnesReferences() throws Exception {
        java.nio.file.Path second = java.nio.file.Path.of(System.getProperty("phr.it.synthea.second.dir"));
        java.util.Set<String> firstNpis = npis(platform.syntheaFolder());
        java.util.Set<String> shared = new java.util.TreeSet<>(npis(second));
        shared.retainAll(firstNpis);
        assertThat(shared).as("Practitioners in both populations").isNotEmpty();
        IGenericClient system = client(platform.serviceToken());
        java.util.Map<String, String> before = new java.util.HashMap<>();
        for (String npi : shared) {
            before.put(npi, practitionerIds(system, npi).get(0));
        }

        LoadSummary loaded = platform.syntheaLoader(FHIR).loadSyntheaFolder(second);
        assertThat(loaded.patients()).isEqualTo(3);
        assertThat(loaded.created()).isPositive();

        for (String npi : shared) {
            assertThat(practitionerIds(system, npi)).as("NPI " + npi).containsExactly(before.get(npi));
        }
        // an Encounter of each population with a shared Practitioner: both reference the one Practitioner, at its first id
        java.util.Map<String, List<String>> firstEncounters = encountersByNpi(platform.syntheaFolder());
        java.util.Map<String, List<String>> secondEncounters = encountersByNpi(second);
        String npi = shared.stream().filter(n -> firstEncounters.containsKey(n) && secondEncounters.containsKey(n)).findFirst()
                .orElseThrow(() -> new AssertionError("no shared Practitioner with Encounters in both populations: " + shared));
        for (String encounter : List.of(firstEncounters.get(npi).get(0), secondEncounters.get(npi).get(0))) {
            String individual = system.read().resource(org.hl7.fhir.r4.model.Encounter.class).withId(encounter).execute().getParticipant().stream()
                    .map(p -> p.getIndividual().getReferenceElement().toUnqualifiedVersionless().getValue())
                    .filter(r -> r.startsWith("Practitioner/")).findFirst().orElseThrow();
            assertThat(individual).as("Encounter/" + encounter).isEqualTo("Practitioner/" + before.get(npi));
            assertThat(system.read().resource(org.hl7.fhir.r4.model.Practitioner.class).withUrl(individual).execute().getIdentifierFirstRep()
                    .getValue()).isEqualTo(npi);
        }

        assertThat(platform.syntheaLoader(FHIR).loadSyntheaFolder(second).created()).as("loaded again").isZero();

        // a FHIR client's new Practitioner with an NPI the directory has is refused (409), not a duplicate
        HttpResponse<String> duplicate = send("POST", "/Practitioner", platform.serviceToken(), "{\"resourceType\":\"Practitioner\","
                + "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"" + npi + "\"}],\"name\":[{\"family\":\"Twice\"}]}");
        assertThat(duplicate.statusCode()).as(duplicate.body()).isEqualTo(409);
        assertThat(duplicate.body()).contains("OperationOutcome");
        assertThat(practitionerIds(system, npi)).containsExactly(before.get(npi));
    }

    /** The NPIs of the Practitioners in a Synthea output folder's practitioner file. */
    private static java.util.Set<String> npis(java.nio.file.Path folder) throws IOException {
        java.util.Set<String> npis = new java.util.HashSet<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(folder)) {
            for (java.nio.file.Path file : files.filter(f -> f.getFileName().toString().startsWith("practitionerInformation")).toList()) {
                Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, java.nio.file.Files.readString(file));
                b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                        .filter(r -> r instanceof org.hl7.fhir.r4.model.Practitioner)
                        .flatMap(r -> ((org.hl7.fhir.r4.model.Practitioner) r).getIdentifier().stream())
                        .filter(i -> "http://hl7.org/fhir/sid/us-npi".equals(i.getSystem())).forEach(i -> npis.add(i.getValue()));
            }
        }
        return npis;
    }

    /** The ids of a Synthea folder's Encounters by the NPI of the Practitioner they name ({@code Practitioner?identifier=...|NPI}). */
    private static java.util.Map<String, List<String>> encountersByNpi(java.nio.file.Path folder) throws IOException {
        java.util.Map<String, List<String>> byNpi = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(folder)) {
            for (java.nio.file.Path file : files.filter(f -> !f.getFileName().toString().contains("Information")).sorted().toList()) {
                Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, java.nio.file.Files.readString(file));
                for (Bundle.BundleEntryComponent e : b.getEntry()) {
                    if (e.getResource() instanceof org.hl7.fhir.r4.model.Encounter encounter) {
                        for (org.hl7.fhir.r4.model.Encounter.EncounterParticipantComponent p : encounter.getParticipant()) {
                            String ref = p.getIndividual().getReference();
                            int bar = ref == null ? -1 : ref.indexOf("us-npi|");
                            if (bar >= 0) {
                                byNpi.computeIfAbsent(ref.substring(bar + "us-npi|".length()), k -> new ArrayList<>())
                                        .add(e.getFullUrl().replaceFirst("^urn:uuid:", "")); // the id the loader puts it at
                            }
                        }
                    }
                }
            }
        }
        return byNpi;
    }

    private static List<String> practitionerIds(IGenericClient client, String npi) {
        Bundle found = client.search().forResource(org.hl7.fhir.r4.model.Practitioner.class)
                .where(org.hl7.fhir.r4.model.Practitioner.IDENTIFIER.exactly().systemAndCode("http://hl7.org/fhir/sid/us-npi", npi))
                .returnBundle(Bundle.class).execute();
        return found.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    /**
     * Role x level of authentication x operation on the loaded Synthea data, with the exact status each must get
     * (identity issue). Patients and the own/other compartment dimension: {@code RecordAccessIT}.
     */
    @ParameterizedTest(name = "{0} at acr {1}: {2} -> {3}")
    @CsvSource(textBlock = """
            demo-practitioner,  1, search, 401
            demo-practitioner,  1, create, 401
            demo-practitioner,  2, search, 200
            demo-practitioner,  2, create, 201
            demo-family-doctor, 1, search, 401
            demo-family-doctor, 1, create, 401
            demo-family-doctor, 2, search, 200
            demo-family-doctor, 2, create, 201
            demo-pharmacist,    1, search, 401
            demo-pharmacist,    1, create, 401
            demo-pharmacist,    2, search, 200
            demo-pharmacist,    2, create, 201
            demo-lab,           1, search, 401
            demo-lab,           1, create, 401
            demo-lab,           2, search, 200
            demo-lab,           2, create, 201
            demo-researcher,    1, search, 403
            demo-researcher,    1, create, 403
            demo-researcher,    2, search, 403
            demo-researcher,    2, create, 403
            demo-admin,         1, search, 403
            demo-admin,         1, create, 403
            demo-admin,         2, search, 403
            demo-admin,         2, create, 403
            service-account,    -, search, 200
            service-account,    -, create, 201
            """)
    @Order(11)
    void accessByRoleAndLevelOfAuthentication(String user, String acr, String operation, int status) throws Exception {
        String token = user.equals("service-account") ? platform.serviceToken()
                : acr.equals("2") ? platform.stepUpToken(user) : platform.userToken(user);
        if (!user.equals("service-account")) {
            assertThat(org.phrcloud.tools.BrowserLogin.claims(token).path("acr").asText()).isEqualTo(acr);
        }
        String patientId = aPatientId();
        HttpResponse<String> r = operation.equals("search")
                ? send("GET", "/Patient?_summary=count", token, null)
                : send("POST", "/Observation", token, "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8310-5\"}]},"
                + "\"subject\":{\"reference\":\"Patient/" + patientId + "\"},"
                + "\"valueQuantity\":{\"value\":36.8,\"unit\":\"Cel\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"Cel\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        if (status == 401) {
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .contains("error=\"insufficient_user_authentication\"").contains("acr_values=\"2\""));
            assertOperationOutcome(r);
            assertThat(r.body()).contains("PHR-AUTHZ-0002");
        } else if (status == 403) {
            assertOperationOutcome(r);
            String code = switch (user) {
                case "demo-researcher" -> "PHR-AUTHZ-0001";
                case "demo-admin" -> "PHR-AUTHZ-0004";
                default -> throw new IllegalStateException("no 403 expected for " + user);
            };
            assertThat(JSON.readTree(r.body()).path("issue").get(0).path("diagnostics").asText()).as(r.body()).startsWith(code + ":");
        }
    }

    @Test
    @Order(12)
    void aWriteThroughFhirIsAnchoredByTheServerInTheAnchorRegistry() throws Exception {
        assertThat(platform.rpc("eth_chainId")).isEqualTo("0x7a69"); // 31337
        String token = platform.stepUpToken("demo-practitioner");
        HttpResponse<String> created = send("POST", "/Patient", token, "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\""
                + MRN_SYSTEM + "\",\"value\":\"" + UUID.randomUUID() + "\"}],\"gender\":\"female\",\"birthDate\":\"1980-02-03\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        HttpRequest proofRequest = HttpRequest.newBuilder(URI.create(platform.apiBase() + "/ledger/resources/Patient/" + id + "/proof"))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").build();
        JsonNode anchor = await("the anchor of the new Patient's block").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> r = HTTP.send(proofRequest, HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 ? JSON.readTree(r.body()).path("anchor") : null;
                }, a -> a != null && a.path("txHash").isTextual());
        JsonNode receipt = platform.rpc("eth_getTransactionReceipt", "[\"" + anchor.path("txHash").asText() + "\"]");
        assertThat(receipt.path("status").asText()).as("the anchor transaction succeeded").isEqualTo("0x1");
        assertThat(receipt.path("to").asText()).as("sent to the AnchorRegistry")
                .isEqualToIgnoringCase(System.getProperty("phr.it.anchor.contract"));
        assertThat(new BigInteger(receipt.path("blockNumber").asText().substring(2), 16).longValue())
                .isEqualTo(anchor.path("blockNumber").asLong());
        assertThat(receipt.path("logs").toString()).as("the Merkle root is in the anchor's event").contains(anchor.path("root").asText());
    }
}
