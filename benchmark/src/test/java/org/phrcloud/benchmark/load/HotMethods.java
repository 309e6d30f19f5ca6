package org.phrcloud.benchmark.load;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The top costs of a JFR recording ({@code jdk.ExecutionSample}, the JDK's own reader {@link RecordingFile}): the share
 * of samples in each part of the request path (a sample counts for a part when a frame of that part is on its stack,
 * so the parts overlap: the PHR layers call HAPI and the database), the platform's own methods that were on the stack
 * in the most samples (inclusive), and the methods that were running in the most samples (self).
 */
final class HotMethods {
    /** The parts of the request path, by package prefix. */
    private static final Map<String, List<String>> PARTS = new java.util.LinkedHashMap<>();

    static {
        PARTS.put("PHR: token check, SMART scopes", List.of("org.phrcloud.standards.fhir.security.", "org.phrcloud.identity.token.",
                "com.nimbusds."));
        PARTS.put("PHR: consent, compartments (authorization)", List.of("org.phrcloud.consent."));
        PARTS.put("PHR: validation of incoming resources", List.of("org.phrcloud.standards.fhir.validation."));
        PARTS.put("PHR: audit (AuditEvents)", List.of("org.phrcloud.audit."));
        PARTS.put("PHR: ledger (block, signature, chain head)", List.of("org.phrcloud.standards.fhir.ledger.", "org.phrcloud.ledger.",
                "org.phrcloud.core.ledger."));
        PARTS.put("PHR: master patient index", List.of("org.phrcloud.identity.mpi.", "org.phrcloud.standards.fhir.identity."));
        PARTS.put("HAPI: search (SearchCoordinatorSvc, SearchBuilder)", List.of("ca.uhn.fhir.jpa.search."));
        PARTS.put("HAPI: resource DAOs (create, read, $everything)", List.of("ca.uhn.fhir.jpa.dao."));
        PARTS.put("HAPI: JSON parse and encode", List.of("ca.uhn.fhir.parser."));
        PARTS.put("Hibernate", List.of("org.hibernate."));
        PARTS.put("database (H2 engine, PostgreSQL driver)", List.of("org.h2.", "org.postgresql."));
    }

    private HotMethods() {
    }

    static String summary(Path recording, int top) throws IOException {
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> parts = new java.util.LinkedHashMap<>();
        PARTS.keySet().forEach(part -> parts.put(part, 0));
        Map<String, Integer> self = new HashMap<>();
        int samples = 0;
        Map<String, Double> waits = new HashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (WAITS.contains(event.getEventType().getName())) {
                waits.merge(event.getEventType().getName().substring(4) + " " + waitSite(event), event.getDuration().toNanos() / 1e9,
                        Double::sum);
                continue;
            }
            if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(stack.getFrames().get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            Set<String> inParts = new HashSet<>();
            for (RecordedFrame frame : stack.getFrames()) {
                String name = name(frame);
                if (name.startsWith("org.phrcloud.") && seen.add(name)) {
                    inclusive.merge(name, 1, Integer::sum);
                }
                PARTS.forEach((part, prefixes) -> {
                    if (prefixes.stream().anyMatch(name::startsWith) && inParts.add(part)) {
                        parts.merge(part, 1, Integer::sum);
                    }
                });
            }
        }
        StringBuilder s = new StringBuilder("| part of the request path (on the stack) | samples | share |\n|---|---:|---:|\n");
        for (Map.Entry<String, Integer> part : parts.entrySet()) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %.1f %% |%n", part.getKey(), part.getValue(),
                    100.0 * part.getValue() / Math.max(1, samples)));
        }
        StringBuilder w = new StringBuilder("| waiting (JFR events over 20 ms: lock, park, file force, socket read), where | seconds |\n|---|---:|\n");
        waits.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(top)
                .forEach(e -> w.append(String.format(Locale.ROOT, "| `%s` | %.1f |%n", e.getKey(), e.getValue())));
        return s + "\n" + table("PHR method on the stack (inclusive)", inclusive, samples, top) + "\n"
                + table("Running (self)", self, samples, top) + "\n" + w;
    }

    private static String table(String title, Map<String, Integer> counts, int samples, int top) {
        StringBuilder s = new StringBuilder("| " + title + " | samples | share |\n|---|---:|---:|\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> s.append(String.format(Locale.ROOT, "| `%s` | %d | %.1f %% |%n", e.getKey(), e.getValue(),
                        100.0 * e.getValue() / Math.max(1, samples))));
        return s.append(String.format(Locale.ROOT, "%n%d execution samples in all.%n", samples)).toString();
    }

    private static final Set<String> WAITS = Set.of("jdk.JavaMonitorEnter", "jdk.ThreadPark", "jdk.FileForce", "jdk.SocketRead");

    /** The first frame of the platform, of HAPI FHIR or of the database on the waiting thread's stack. */
    private static String waitSite(RecordedEvent event) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null) {
            return "?";
        }
        for (RecordedFrame frame : stack.getFrames()) {
            String name = name(frame);
            if (name.startsWith("org.phrcloud.") || name.startsWith("ca.uhn.") || name.startsWith("org.h2.")
                    || name.startsWith("org.postgresql.") || name.startsWith("org.hibernate.")) {
                return name;
            }
        }
        return name(stack.getFrames().get(0));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
