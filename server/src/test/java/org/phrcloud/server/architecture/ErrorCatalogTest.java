package org.phrcloud.server.architecture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phrcloud.core.error.PhrError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error catalog ({@link PhrError}) against the sources of every module: each {@code PHR-...} code is defined
 * there once, documented (a title and a status), and every code written in a message is in it.
 */
class ErrorCatalogTest {
    private static final Pattern CODE = Pattern.compile("PHR[-_]([A-Z0-9]+)[-_](\\d{4})");
    /** code -> the source files (module/src/main/...) that use it, outside the catalog itself */
    private static final Map<String, Set<String>> USES = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(root.resolve("pom.xml")));
        while (modules.find()) {
            Path main = root.resolve(modules.group(1)).resolve("src/main");
            if (!Files.isDirectory(main)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(main)) {
                files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("PhrError.java")).forEach(f -> {
                    Matcher m = CODE.matcher(read(f));
                    while (m.find()) {
                        USES.computeIfAbsent("PHR-" + m.group(1) + "-" + m.group(2), k -> new TreeSet<>())
                                .add(root.relativize(f).toString());
                    }
                });
            }
        }
    }

    @Test
    void everyCodeInTheSourcesIsInTheCatalog() {
        Set<String> catalog = Arrays.stream(PhrError.values()).map(PhrError::code).collect(Collectors.toSet());
        assertThat(USES.keySet()).as("codes written in messages but missing from PhrError").isSubsetOf(catalog);
    }

    @Test
    void everyCodeInTheCatalogIsUsed() {
        assertThat(Arrays.stream(PhrError.values()).map(PhrError::code)).as("catalogued codes that nothing uses")
                .allMatch(USES::containsKey);
    }

    @Test
    void codesAreUniqueAndDocumented() {
        assertThat(Arrays.stream(PhrError.values()).map(PhrError::code)).doesNotHaveDuplicates()
                .allMatch(c -> c.matches("PHR-[A-Z0-9]+-\\d{4}"));
        assertThat(PhrError.values()).allSatisfy(e -> {
            assertThat(e.title()).as(e.code()).isNotBlank().doesNotEndWith(" ").doesNotEndWith("(");
            assertThat(e.status()).as(e.code()).isBetween(400, 599);
        });
    }

    /** The three codes that once meant two things each now mean one (each is written in one file). */
    @Test
    void theFormerCollisionsMeanOneThing() {
        assertThat(USES.get("PHR-LEDGER-0101")).containsExactly("ledger-layer/src/main/java/org/phrcloud/ledger/chain/ContentHash.java");
        assertThat(USES.get("PHR-LEDGER-0104")).containsExactly("ledger-layer/src/main/java/org/phrcloud/ledger/merkle/MerkleTree.java");
        assertThat(USES.get("PHR-LEDGER-0601")).containsExactly("ledger-layer/src/main/java/org/phrcloud/ledger/anchor/RegistryConsent.java");
        assertThat(USES.get("PHR-LEDGER-0603")).containsExactly("ledger-layer/src/main/java/org/phrcloud/ledger/anchor/ResourceProofs.java");
        assertThat(PhrError.of("PHR-API-0421").orElseThrow().status()).isEqualTo(404);
        assertThat(PhrError.of("PHR-API-0423").orElseThrow().status()).isEqualTo(403);
    }

    @Test
    void statusesOfWellKnownRefusals() {
        Map<String, Integer> expected = Map.ofEntries(Map.entry("PHR-API-0401", 401), Map.entry("PHR-API-0403", 403),
                Map.entry("PHR-API-0404", 401), Map.entry("PHR-CONSENT-0104", 400), Map.entry("PHR-IDENTITY-0310", 409),
                Map.entry("PHR-IDENTITY-0314", 404), Map.entry("PHR-RESEARCH-1011", 400), Map.entry("PHR-AUTHZ-0010", 403),
                Map.entry("PHR-API-0500", 500), Map.entry("PHR-IDENTITY-0508", 502), Map.entry("PHR-RESEARCH-1201", 400),
                Map.entry("PHR-RESEARCH-1203", 400));
        expected.forEach((code, status) -> assertThat(PhrError.of(code).orElseThrow().status()).as(code).isEqualTo(status));
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
