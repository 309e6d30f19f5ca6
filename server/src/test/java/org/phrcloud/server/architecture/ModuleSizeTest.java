package org.phrcloud.server.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Maven module holds more than 30 % of the main Java lines of the whole project (docs/ARCHITECTURE.md,
 * "Modules"): a module that grows past that holds more than one concept. Counts every line of
 * {@code src/main/java/**.java} of each module the parent pom lists; prints the table.
 */
class ModuleSizeTest {
    private static final double MAX_SHARE = 0.30;

    @Test
    void noModuleHoldsMoreThanThirtyPercentOfTheMainJavaLines() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(root.resolve("pom.xml")));
        Map<String, Long> lines = new LinkedHashMap<>();
        while (modules.find()) {
            lines.put(modules.group(1), javaLines(root.resolve(modules.group(1)).resolve("src/main/java")));
        }
        assertThat(lines).as("the parent pom's modules").containsKeys("identity-layer", "ledger-layer", "standards-layer", "server");
        long total = lines.values().stream().mapToLong(Long::longValue).sum();
        lines.forEach((module, n) -> System.out.printf("MODULE %-16s %6d lines %5.1f %%%n", module, n, 100.0 * n / total));
        lines.forEach((module, n) -> assertThat((double) n / total)
                .as("%s: %d of %d main Java lines", module, n, total).isLessThanOrEqualTo(MAX_SHARE));
    }

    private static long javaLines(Path sources) {
        if (!Files.isDirectory(sources)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(f -> f.toString().endsWith(".java")).mapToLong(ModuleSizeTest::lineCount).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long lineCount(Path file) {
        try (Stream<String> l = Files.lines(file)) {
            return l.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
