package org.phrcloud.benchmark.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * One load run over HTTP against one FHIR server (the platform or the baseline), a closed workload: {@code users}
 * virtual users, each sending its next request as soon as the last one was answered, for {@code seconds}. The
 * scenarios of issue 24:
 * <ul>
 *   <li>{@code create}: Observation creates (vital sign, heart rate), half by the institution system (client
 *       credentials token), half by a care giver ({@code acr=2} token), for a random patient of those written to
 *       (never one the reads below read, so the records the reads find do not grow from run to run);</li>
 *   <li>{@code timeline}: the patient reading their record: {@code Patient/[id]/$everything} (first page of 50) and
 *       {@code Observation?patient=[id]&_count=100};</li>
 *   <li>{@code practitioner}: a care giver reading records of their institution's patients: a Patient search by
 *       family name, a Patient read, {@code Observation?patient=[id]&_count=100};</li>
 *   <li>{@code mix}: 70 % of the reads above and 30 % of the creates.</li>
 * </ul>
 * Every request must answer with its expected status (201 for a create, 200 otherwise) and a search with 100
 * results must hold 100 entries; anything else counts as an error (KO). Its settings are Java system properties set
 * by {@link LoadBenchmark}: {@code bench.fhir} (base URL), {@code bench.scenario}, {@code bench.users},
 * {@code bench.seconds}, {@code bench.setup} (a JSON file, mode 600: {@code tokens.system}, {@code tokens.careGiver},
 * {@code tokens.patient}, {@code timelinePatient}, {@code patients} [{@code id}, {@code family}] read by care givers,
 * {@code writePatients} [{@code id}] written to).
 */
public class FhirLoadSimulation extends Simulation {
    private static final String OBSERVATION = """
            {"resourceType":"Observation","status":"final",
             "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"},
             "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-12-07T10:%02d:00Z",
             "valueQuantity":{"value":%d,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}}""";

    private final JsonNode setup = read(Path.of(System.getProperty("bench.setup")));
    private final List<String[]> patients = patients(setup, "patients");
    private final List<String[]> writePatients = patients(setup, "writePatients");
    private final String system = "Bearer " + setup.path("tokens").path("system").asText();
    private final String careGiver = "Bearer " + setup.path("tokens").path("careGiver").asText();
    private final String patient = "Bearer " + setup.path("tokens").path("patient").asText();
    private final String timelinePatient = setup.path("timelinePatient").asText();

    private final ChainBuilder pick = exec(session -> {
        String[] p = patients.get(ThreadLocalRandom.current().nextInt(patients.size()));
        return session.set("patient", p[0]).set("family", p[1]);
    });
    private final ChainBuilder pickForWriting = exec(session -> session.set("patient",
            writePatients.get(ThreadLocalRandom.current().nextInt(writePatients.size()))[0]));
    private final ChainBuilder createBySystem = pickForWriting.exec(http("create Observation (system)").post("/Observation")
            .header("Authorization", system).body(StringBody(session -> observation(session.getString("patient"))))
            .check(status().is(201)));
    private final ChainBuilder createByCareGiver = pickForWriting.exec(http("create Observation (care giver)").post("/Observation")
            .header("Authorization", careGiver).body(StringBody(session -> observation(session.getString("patient"))))
            .check(status().is(201)));
    private final ChainBuilder everything = exec(http("Patient $everything (patient)")
            .get("/Patient/" + timelinePatient + "/$everything?_count=50").header("Authorization", patient).check(status().is(200)));
    private final ChainBuilder ownObservations = exec(http("Observation search 100 (patient)")
            .get("/Observation?patient=" + timelinePatient + "&_count=100").header("Authorization", patient)
            .check(status().is(200), jsonPath("$.entry[*]").count().is(100)));
    private final ChainBuilder findPatient = pick.exec(http("Patient search by family (care giver)")
            .get(session -> "/Patient?family=" + session.getString("family")).header("Authorization", careGiver)
            .check(status().is(200)));
    private final ChainBuilder readPatient = pick.exec(http("Patient read (care giver)")
            .get(session -> "/Patient/" + session.getString("patient")).header("Authorization", careGiver).check(status().is(200)));
    private final ChainBuilder careObservations = pick.exec(http("Observation search 100 (care giver)")
            .get(session -> "/Observation?patient=" + session.getString("patient") + "&_count=100").header("Authorization", careGiver)
            .check(status().is(200)));

    {
        String name = System.getProperty("bench.scenario");
        ChainBuilder work = switch (name) {
            case "create" -> randomSwitch().on(percent(50).then(createBySystem), percent(50).then(createByCareGiver));
            case "timeline" -> randomSwitch().on(percent(50).then(everything), percent(50).then(ownObservations));
            case "practitioner" -> randomSwitch().on(percent(34).then(findPatient), percent(33).then(readPatient),
                    percent(33).then(careObservations));
            case "mix" -> randomSwitch().on(percent(15).then(createBySystem), percent(15).then(createByCareGiver),
                    percent(15).then(everything), percent(20).then(ownObservations), percent(10).then(findPatient),
                    percent(10).then(readPatient), percent(15).then(careObservations));
            default -> throw new IllegalArgumentException("bench.scenario: create, timeline, practitioner or mix, not " + name);
        };
        ScenarioBuilder scenario = scenario(name).exec(work);
        HttpProtocolBuilder protocol = http.baseUrl(System.getProperty("bench.fhir")).acceptHeader("application/fhir+json")
                .contentTypeHeader("application/fhir+json").shareConnections();
        setUp(scenario.injectClosed(constantConcurrentUsers(Integer.getInteger("bench.users"))
                .during(Duration.ofSeconds(Integer.getInteger("bench.seconds"))))).protocols(protocol);
    }

    private static String observation(String patient) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return OBSERVATION.formatted(patient, random.nextInt(60), 55 + random.nextInt(50));
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String[]> patients(JsonNode setup, String field) {
        List<String[]> list = new ArrayList<>();
        setup.path(field).forEach(p -> list.add(new String[]{p.path("id").asText(), p.path("family").asText()}));
        if (list.isEmpty()) {
            throw new IllegalStateException("bench.setup lists no " + field);
        }
        return list;
    }
}
