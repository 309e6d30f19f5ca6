package org.phrcloud.benchmark.load;

import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.parser.PipeParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.identity.token.TokenClient;
import org.phrcloud.standards.hl7v2.Hl7v2Ingestion;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ORU^R01 over MLLP with its ACK against the running platform (sending facility {@code st-mary}), from 1 and from 4
 * connections, each connection sending its next message when the last ACK came; then the DiagnosticReports the
 * platform holds are counted: every message acknowledged AA must have made one (none lost). The messages name the
 * Synthea patients by their Synthea identifier (PID-3), as a hospital's LIS names its patients by its own MRN.
 */
final class MllpLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String host;
    private final int port;
    private final String fhir;
    private final TokenClient system;

    MllpLoad(String hostPort, String fhir, TokenClient system) {
        this.host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        this.port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        this.fhir = fhir;
        this.system = system;
    }

    /** Runs the warm-up (200 messages) and the measured runs; returns the report's lines. */
    String run(int messages) throws Exception {
        List<String> identifiers = identifiers();
        send(identifiers, "warm-up-" + UUID.randomUUID(), 200, 1);
        StringBuilder report = new StringBuilder("| ORU^R01 over MLLP with ACK | messages | seconds | messages/s | ACK AA | lost |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (int connections : new int[]{1, 4}) {
            int before = reports();
            long start = System.nanoTime();
            int accepted = send(identifiers, "bench-" + UUID.randomUUID(), messages, connections);
            double seconds = (System.nanoTime() - start) / 1e9;
            int lost = accepted - (reports() - before);
            report.append(String.format(Locale.ROOT, "| %d connection(s) | %d | %.1f | %.0f | %d | %d |%n", connections, messages,
                    seconds, messages / seconds, accepted, lost));
            System.out.printf(Locale.ROOT, "BENCH ORU^R01 over MLLP with ACK, %d connection(s): %.0f messages/s, %d AA, %d lost%n",
                    connections, messages / seconds, accepted, lost);
        }
        return report.toString();
    }

    private static String oru(String system, String value, String controlId) {
        return String.join("\r",
                "MSH|^~\\&|LIS|st-mary|PHR|PHR|20261207083000||ORU^R01|" + controlId + "|P|2.5.1",
                "PID|1||" + value + "^^^&" + system + "&URI",
                "OBR|1|PL-" + controlId + "|FL-" + controlId + "|24323-8^Comprehensive metabolic panel^LN|||20261207080000|||||||||||||||20261207082500|||F",
                "OBX|1|NM|2339-0^Glucose^LN||105|mg/dL^mg/dL^UCUM|70-99|H|||F",
                "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L^mmol/L^UCUM|3.5-5.1|N|||F", "");
    }

    private int send(List<String> identifiers, String run, int count, int connections) throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int lane = c;
                done.add(pool.submit(() -> {
                    HapiContext context = Hl7v2Ingestion.newContext();
                    PipeParser parser = context.getPipeParser();
                    Connection connection = context.newClient(host, port, false);
                    try {
                        for (int i = lane; i < count; i += connections) {
                            String[] id = identifiers.get(i % identifiers.size()).split("\\|", 2);
                            String ack = parser.encode(connection.getInitiator().sendAndReceive(parser.parse(oru(id[0], id[1], run + "-" + i))));
                            if (ack.contains("MSA|AA|")) {
                                accepted.incrementAndGet();
                            }
                        }
                    } finally {
                        connection.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return accepted.get();
    }

    /** {@code system|value} of each Synthea patient's Synthea identifier. */
    private List<String> identifiers() throws IOException, InterruptedException {
        List<String> identifiers = new ArrayList<>();
        for (JsonNode e : get("/Patient?_count=200&_elements=identifier").path("entry")) {
            for (JsonNode i : e.path("resource").path("identifier")) {
                if ("https://github.com/synthetichealth/synthea".equals(i.path("system").asText())) {
                    identifiers.add(i.path("system").asText() + "|" + i.path("value").asText());
                }
            }
        }
        if (identifiers.isEmpty()) {
            throw new IllegalStateException("no Synthea patients on the platform");
        }
        return identifiers;
    }

    private int reports() throws IOException, InterruptedException {
        return get("/DiagnosticReport?_summary=count").path("total").asInt();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(fhir + path)).header("Authorization", "Bearer "
                + system.clientCredentials()).header("Accept", "application/fhir+json")
                // HAPI FHIR JPA answers a repeated search from its cache for a minute unless asked not to
                .header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }
}
