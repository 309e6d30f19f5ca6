package org.phrcloud.benchmark.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One Gatling run of {@link FhirLoadSimulation}, in this JVM, and its figures as Gatling's report states them
 * ({@code js/stats.js} of the run's report: the global statistics and each request name's).
 */
final class GatlingRun {
    /** {@code stats.js} is a JavaScript object literal: some names unquoted, numbers as strings. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_TRAILING_COMMA,
                    com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    /**
     * Figures of one request name (or of all requests).
     *
     * @param requests    requests sent; {@code errors} those that failed a check (KO)
     * @param p50         response time percentiles in milliseconds (50th, 95th, 99th)
     * @param throughput  mean requests per second over the run
     */
    record Figures(long requests, long errors, long p50, long p95, long p99, double throughput) {
    }

    /** All requests ({@code all}) and each request name's figures, in the report's order. */
    record Result(Figures all, Map<String, Figures> byRequest) {
    }

    private GatlingRun() {
    }

    /**
     * Runs the simulation with the given {@code bench.*} settings; its report goes to a new folder under {@code results}.
     *
     * @throws IllegalStateException when Gatling ends with a non-zero status
     */
    static Result run(Map<String, String> settings, Path results, String description) throws IOException {
        settings.forEach(System::setProperty);
        Files.createDirectories(results);
        int status = io.gatling.app.Gatling$.MODULE$.fromArgs(new String[]{"-s", FhirLoadSimulation.class.getName(),
                "-rf", results.toString(), "-rd", description});
        if (status != 0) {
            throw new IllegalStateException("Gatling ended with status " + status + " (" + description + ")");
        }
        Path report;
        try (Stream<Path> runs = Files.list(results)) {
            report = runs.filter(Files::isDirectory).max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new IllegalStateException("no Gatling report in " + results));
        }
        return parse(Files.readString(report.resolve("js/stats.js")));
    }

    /** The statistics object of {@code stats.js} ({@code var stats = {...}}, then a function). */
    static Result parse(String statsJs) throws IOException {
        int start = statsJs.indexOf('{');
        JsonNode root = JSON.readTree(objectAt(statsJs, start));
        Map<String, Figures> byRequest = new LinkedHashMap<>();
        root.path("contents").forEach(node -> byRequest.put(node.path("name").asText(), figures(node.path("stats"))));
        return new Result(figures(root.path("stats")), byRequest);
    }

    private static Figures figures(JsonNode stats) {
        return new Figures(number(stats, "numberOfRequests").asLong(), stats.path("numberOfRequests").path("ko").asLong(0),
                number(stats, "percentiles1").asLong(), number(stats, "percentiles3").asLong(), number(stats, "percentiles4").asLong(),
                number(stats, "meanNumberOfRequestsPerSecond").asDouble());
    }

    private static JsonNode number(JsonNode stats, String name) {
        return stats.path(name).path("total");
    }

    /** The balanced {@code {...}} starting at {@code start} (strings in it hold no braces of their own here). */
    private static String objectAt(String text, int start) {
        int depth = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return text.substring(start, i + 1);
            }
        }
        throw new IllegalStateException("stats.js holds no complete object");
    }
}
