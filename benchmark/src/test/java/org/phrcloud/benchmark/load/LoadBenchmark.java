package org.phrcloud.benchmark.load;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.identity.token.TokenClient;
import org.phrcloud.standards.fhir.load.TransactionBundleLoader;
import org.phrcloud.tools.SecretFile;
import org.phrcloud.tools.devstack.DemoSetup;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 24's load benchmark, over HTTP as a client sees it, against the running platform ({@code ./phr up}) and, in
 * the same run, against the baseline (plain HAPI FHIR JPA on the same storage configuration, {@link BaselineDomain}),
 * loaded with the same Synthea patients. For each scenario of {@link FhirLoadSimulation} and each number of concurrent
 * users, the baseline and then the platform are loaded for the same time; the table gives p50, p95, p99, throughput,
 * errors and the platform's ratios to the baseline. Then ORU^R01 over MLLP with its ACK ({@link MllpLoad}, the platform
 * only: plain HAPI FHIR has no HL7 v2), and a JFR profile of the platform under the mix ({@link HotMethods}).
 *
 * <p>Run: {@code ./phr up}, then {@code ./mvnw -B -Pbenchmark -pl benchmark -am verify}. Settings (system properties):
 * {@code bench.users} (default {@code 20,50,200}), {@code bench.scenarios} ({@code timeline,practitioner,create,mix}; empty: no comparison, the baseline is not started),
 * {@code bench.seconds} per run (30), {@code bench.warmup.seconds} (30), {@code bench.phr.home} ({@code ../.phr}),
 * {@code bench.baseline.portbase} (8300), {@code bench.baseline.db.url}/{@code .username}/{@code .password} (required when
 * the platform runs on PostgreSQL: the baseline's own database on the same server), {@code bench.mllp.messages} (2000; 0: no MLLP run),
 * {@code bench.profile} ({@code true}), {@code bench.profile.scenario} ({@code mix}). The report is written to {@code benchmark/target/load-benchmark.md}; lines
 * starting with {@code BENCH} are printed.
 */
class LoadBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Path phrHome = Path.of(System.getProperty("bench.phr.home", "../.phr")).toAbsolutePath().normalize();
    private final Path target = Path.of("target").toAbsolutePath();
    private ObjectNode tokens;
    private java.time.Instant tokensAt;

    @Test
    void fhirAgainstPlainHapiAndHl7v2() throws Exception {
        JsonNode up = JSON.readTree(phrHome.resolve("up.json").toFile());
        ProvisionedRealm realm = JSON.readValue(phrHome.resolve("secrets/realm.json").toFile(), ProvisionedRealm.class);
        String platform = up.path("urls").path("fhir").asText();
        if (!org.phrcloud.tools.devstack.DevStack.answers200(platform + "/metadata")) {
            throw new IllegalStateException("the platform does not answer at " + platform + ": run ./phr up first");
        }
        TokenClient system = new TokenClient(realm.issuer(), realm.backendClientId(), realm.backendClientSecret());
        boolean postgres = Files.readString(phrHome.resolve("payara-domains/phr/config/domain.xml")).contains("-Dphr.db.url=jdbc:postgresql:");
        if (postgres && System.getProperty("bench.baseline.db.url") == null) {
            throw new IllegalStateException("the platform runs on PostgreSQL: give the baseline its own database there with "
                    + "-Dbench.baseline.db.url=, -Dbench.baseline.db.username= and -Dbench.baseline.db.password=");
        }
        List<Integer> users = Arrays.stream(System.getProperty("bench.users", "20,50,200").split(",")).map(String::trim)
                .map(Integer::valueOf).toList();
        List<String> scenarios = Arrays.stream(System.getProperty("bench.scenarios", "timeline,practitioner,create,mix").split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).toList();
        int seconds = Integer.getInteger("bench.seconds", 30);
        StringBuilder report = new StringBuilder();
        report.append("- **Date:** ").append(LocalDate.now()).append(". **Commit:** ").append(commit())
                .append(". **Machine:** ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append("; platform, baseline, Keycloak, anvil and Gatling on this machine.\n")
                .append("- **Database:** ").append(postgres ? "PostgreSQL" : "H2 (file, durable commits)").append(". **Each run:** ")
                .append(seconds).append(" s, closed model (each virtual user sends its next request when the last is answered).\n\n");

        String timelinePatient = up.path("demoPatient").path("patient").asText().replace("Patient/", "");
        ArrayNode patients = patients(platform, system.clientCredentials(), timelinePatient);
        if (!scenarios.isEmpty()) {
            BaselineDomain baseline = new BaselineDomain(phrHome, Integer.getInteger("bench.baseline.portbase", 8300));
            try (baseline) {
                baseline.start(Path.of("target/baseline.war"), realm.issuer(), System.getProperty("bench.baseline.db.url"),
                        System.getProperty("bench.baseline.db.username"), System.getProperty("bench.baseline.db.password"));
                loadOnce(baseline.fhir(), system, up);
                Map<String, String> targets = new LinkedHashMap<>();
                targets.put("baseline", baseline.fhir());
                targets.put("platform", platform);
                for (String t : targets.keySet()) {
                    warmUp(t, targets.get(t), realm, up, system, patients, timelinePatient);
                }
                report.append("| scenario | users | request | baseline p50 / p95 / p99 ms | baseline req/s | platform p50 / p95 / p99 ms "
                        + "| platform req/s | errors (b / p) | p95 ratio | throughput ratio |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
                for (String scenario : scenarios) {
                    for (int n : users) {
                        Map<String, GatlingRun.Result> results = new LinkedHashMap<>();
                        for (Map.Entry<String, String> t : targets.entrySet()) {
                            results.put(t.getKey(), GatlingRun.run(settings(t.getValue(), scenario, n, seconds,
                                    setup(realm, up, system, patients, timelinePatient)), target.resolve("gatling/" + t.getKey()),
                                    scenario + " " + n + " users " + t.getKey()));
                        }
                        rows(report, scenario, n, results.get("baseline"), results.get("platform"));
                    }
                }
            }
        } else {
            warmUp("platform", platform, realm, up, system, patients, timelinePatient);
        }
        if (Boolean.parseBoolean(System.getProperty("bench.profile", "true"))) {
            report.append('\n').append(profile(platform, realm, up, system, patients, timelinePatient, seconds));
        }
        int messages = Integer.getInteger("bench.mllp.messages", 2000);
        if (messages > 0) {
            report.append('\n').append(new MllpLoad(up.path("urls").path("hl7v2Mllp").asText(), platform, system).run(messages));
        }
        Files.writeString(target.resolve("load-benchmark.md"), report.toString());
        System.out.println(report);
    }

    /**
     * A scenario ({@code bench.profile.scenario}, default the mix) at 50 users with JFR recording the platform's JVM, and
     * where its samples went.
     */
    private String profile(String platform, ProvisionedRealm realm, JsonNode up, TokenClient system, ArrayNode patients,
                           String timelinePatient, int seconds) throws Exception {
        long pid = Long.parseLong(Files.readString(phrHome.resolve("run/payara.pid")).strip());
        String scenario = System.getProperty("bench.profile.scenario", "mix");
        Path recording = target.resolve("platform-" + scenario + ".jfr");
        Files.deleteIfExists(recording);
        jcmd(pid, "JFR.start", "name=phr-bench", "settings=profile", "filename=" + recording);
        GatlingRun.Result result = GatlingRun.run(settings(platform, scenario, 50, seconds, setup(realm, up, system, patients, timelinePatient)),
                target.resolve("gatling/profile"), scenario + " 50 users platform, JFR");
        jcmd(pid, "JFR.stop", "name=phr-bench");
        return "JFR profile of the platform under " + scenario + " at 50 users (" + result.all().throughput() + " req/s while recording; "
                + recording.getFileName() + "):\n\n" + HotMethods.summary(recording, 25);
    }

    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid)));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + ": " + out);
        }
    }

    private void warmUp(String name, String fhir, ProvisionedRealm realm, JsonNode up, TokenClient system, ArrayNode patients,
                        String timelinePatient) throws Exception {
        GatlingRun.run(settings(fhir, "mix", 20, Integer.getInteger("bench.warmup.seconds", 30),
                setup(realm, up, system, patients, timelinePatient)), target.resolve("gatling/warmup"), "warm-up " + name);
    }

    private static void rows(StringBuilder report, String scenario, int users, GatlingRun.Result baseline, GatlingRun.Result platform) {
        row(report, scenario, users, "all", baseline.all(), platform.all());
        platform.byRequest().forEach((request, p) -> {
            GatlingRun.Figures b = baseline.byRequest().get(request);
            if (b != null) {
                row(report, scenario, users, request, b, p);
            }
        });
        System.out.printf(Locale.ROOT, "BENCH %s %d users: baseline %.1f req/s p95 %d ms, platform %.1f req/s p95 %d ms, "
                        + "throughput ratio %.2f, p95 ratio %.2f, errors %d / %d%n", scenario, users, baseline.all().throughput(),
                baseline.all().p95(), platform.all().throughput(), platform.all().p95(),
                platform.all().throughput() / baseline.all().throughput(), (double) platform.all().p95() / Math.max(1, baseline.all().p95()),
                baseline.all().errors(), platform.all().errors());
    }

    private static void row(StringBuilder report, String scenario, int users, String request, GatlingRun.Figures b, GatlingRun.Figures p) {
        report.append(String.format(Locale.ROOT, "| %s | %d | %s | %d / %d / %d | %.1f | %d / %d / %d | %.1f | %d / %d | %.2f | %.2f |%n",
                scenario, users, request, b.p50(), b.p95(), b.p99(), b.throughput(), p.p50(), p.p95(), p.p99(), p.throughput(),
                b.errors(), p.errors(), (double) p.p95() / Math.max(1, b.p95()), p.throughput() / b.throughput()));
    }

    private Map<String, String> settings(String fhir, String scenario, int users, int seconds, Path setup) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bench.fhir", fhir);
        s.put("bench.scenario", scenario);
        s.put("bench.users", String.valueOf(users));
        s.put("bench.seconds", String.valueOf(seconds));
        s.put("bench.setup", setup.toString());
        return s;
    }

    /**
     * Tokens no older than 3 minutes (an access token lives 5) and the patients, in the file the simulation reads (mode
     * 600): the system's (client credentials), the demo practitioner's ({@code acr=2}) and the demo patient's. The
     * care giver's login takes a TOTP code, which Keycloak takes once: a new login waits for the next 30-second step.
     */
    private Path setup(ProvisionedRealm realm, JsonNode up, TokenClient system, ArrayNode patients, String timelinePatient)
            throws IOException, InterruptedException {
        if (tokensAt == null || java.time.Duration.between(tokensAt, java.time.Instant.now()).toSeconds() > 180) {
            if (tokensAt != null) {
                long step = tokensAt.getEpochSecond() / 30;
                while (java.time.Instant.now().getEpochSecond() / 30 == step) {
                    Thread.sleep(1000);
                }
            }
            String base = up.path("urls").path("fhir").asText().replaceAll("fhir$", "");
            tokens = JSON.createObjectNode().put("system", system.clientCredentials())
                    .put("careGiver", DemoSetup.token(realm, base, "demo-practitioner"))
                    .put("patient", DemoSetup.token(realm, base, "demo-patient"));
            tokensAt = java.time.Instant.now();
        }
        ObjectNode setup = JSON.createObjectNode();
        setup.set("tokens", tokens);
        setup.put("timelinePatient", timelinePatient);
        ArrayNode read = JSON.createArrayNode();
        ArrayNode written = JSON.createArrayNode();
        for (int i = 0; i < patients.size(); i++) {
            // every other patient is read by care givers, the others written to; the demo patient only read
            boolean timeline = patients.get(i).path("id").asText().equals(timelinePatient);
            (i % 2 == 0 || timeline ? read : written).add(patients.get(i));
        }
        setup.set("patients", read);
        setup.set("writePatients", written);
        Path file = target.resolve("bench-setup.json");
        SecretFile.write(file, JSON.writeValueAsString(setup));
        return file;
    }

    /**
     * The patients the runs pick from: every Patient of the platform with a family name (Synthea's, loaded by
     * {@code ./phr up} for st-mary, so the demo care givers reach them); every other one is read by the care givers, the
     * others are written to (creates never add to what the reads find, in either server, from run to run). The demo patient's record must hold at least
     * 100 Observations, as the timeline's search expects 100 results.
     */
    private static ArrayNode patients(String fhir, String token, String timelinePatient) throws IOException, InterruptedException {
        JsonNode bundle = get(fhir + "/Patient?_count=200&_elements=name", token);
        ArrayNode patients = JSON.createArrayNode();
        bundle.path("entry").forEach(e -> {
            String family = e.path("resource").path("name").path(0).path("family").asText("");
            if (!family.isEmpty()) {
                patients.addObject().put("id", e.path("resource").path("id").asText()).put("family", family);
            }
        });
        int observations = get(fhir + "/Observation?patient=" + timelinePatient + "&_summary=count", token).path("total").asInt();
        if (patients.isEmpty() || observations < 100) {
            throw new IllegalStateException("the platform holds " + patients.size() + " patients and the demo patient "
                    + observations + " Observations; the benchmark needs the Synthea patients of ./phr up");
        }
        return patients;
    }

    /** Loads the Synthea patients of {@code ./phr up} into the baseline through its FHIR API, once. */
    private void loadOnce(String fhir, TokenClient system, JsonNode up) throws IOException, InterruptedException {
        Path marker = phrHome.resolve("payara-domains/" + BaselineDomain.NAME + "/loaded.json");
        if (Files.exists(marker)) {
            return;
        }
        JsonNode data = up.path("data");
        Path folder = phrHome.resolve("synthea/seed-" + data.path("seed").asInt() + "-patients-" + up.path("data").path("patients").asInt()
                + "-years-" + data.path("yearsOfHistory").asInt() + "/fhir");
        FhirContext context = FhirContext.forR4();
        context.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        context.getRestfulClientFactory().setSocketTimeout(15 * 60 * 1000);
        String token = system.clientCredentials();
        var summary = new TransactionBundleLoader(context, fhir, () -> {
            IGenericClient client = context.newRestfulGenericClient(fhir);
            client.registerInterceptor(new BearerTokenAuthInterceptor(token));
            return client;
        }).loadSyntheaFolder(folder);
        Files.writeString(marker, JSON.writeValueAsString(summary));
    }

    private static JsonNode get(String url, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/fhir+json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + URI.create(url).getPath() + " answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
            String head = new String(git.getInputStream().readAllBytes()).strip();
            Process dirty = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").start();
            return head + (new String(dirty.getInputStream().readAllBytes()).isBlank() ? "" : " with uncommitted changes");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
