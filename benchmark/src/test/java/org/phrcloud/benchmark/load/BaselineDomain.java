package org.phrcloud.benchmark.load;

import org.phrcloud.tools.devstack.DevStack;
import org.phrcloud.tools.devstack.ServerSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline's own Payara Server domain on this machine ({@code PHR_HOME/payara-domains/phr-baseline}, port base 8300:
 * HTTP 8380, admin 8348; 2 GB heap as the platform's), made once from the platform's Payara distribution, with the
 * baseline WAR ({@code benchmark/target/baseline.war}) deployed at {@code /}. Its own JVM, so the platform and the
 * baseline never share a heap; while one is measured the other idles.
 */
final class BaselineDomain implements AutoCloseable {
    static final String NAME = "phr-baseline";
    private final Path payara;
    private final Path domains;
    private final int portbase;
    private final Path log;

    BaselineDomain(Path phrHome, int portbase) {
        this.payara = phrHome.resolve("dist/payara6");
        this.domains = phrHome.resolve("payara-domains");
        this.portbase = portbase;
        this.log = phrHome.resolve("logs/baseline.log");
    }

    /** The baseline's FHIR base URL, e.g. {@code http://127.0.0.1:8380/fhir}. */
    String fhir() {
        return "http://127.0.0.1:" + (portbase + 80) + "/fhir";
    }

    /** The PID of the domain's JVM, for JFR. */
    long pid() throws IOException {
        return Long.parseLong(Files.readString(domains.resolve(NAME + "/config/pid")).strip());
    }

    /**
     * Creates the domain when it is not there, writes its settings ({@code phr.oidc.issuer}, {@code phr.db.url} when
     * given: else the default H2 file in the domain), starts it and deploys the WAR.
     */
    void start(Path war, String issuer, String dbUrl, String dbUser, String dbPassword) throws Exception {
        Path domain = domains.resolve(NAME);
        if (!Files.isDirectory(domain)) {
            run(DevStack.createDomain(payara, domains, NAME, portbase));
            DevStack.configureDomain(domain);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("phr.oidc.issuer", issuer);
        if (dbUrl != null) {
            settings.put("phr.db.url", dbUrl);
            settings.put("phr.db.username", dbUser);
            settings.put("phr.db.password", dbPassword);
        }
        Path xml = domain.resolve("config/domain.xml");
        Files.writeString(xml, ServerSettings.withProperties(Files.readString(xml), settings));
        boolean deployedBefore = Files.readString(xml).contains("name=\"" + NAME + "\"");
        run(asadmin("start-domain", "--domaindir", domains.toString(), NAME));
        if (deployedBefore) {
            // a WAR left deployed (a run that did not end) loads at boot: a redeploy at the same time fails
            DevStack.await("the baseline's boot", Duration.ofMinutes(3), this::answers);
        }
        run(asadmin("--port", String.valueOf(portbase + 48), "deploy", "--force=true", "--name", NAME, "--contextroot", "/",
                war.toString()));
        DevStack.await("the baseline FHIR server", Duration.ofMinutes(3), this::answers);
    }

    private boolean answers() {
        return DevStack.answers200(fhir() + "/metadata");
    }

    /** Undeploys the WAR and stops the domain (its database stays for the next run). */
    @Override
    public void close() throws Exception {
        try {
            run(asadmin("--port", String.valueOf(portbase + 48), "undeploy", NAME));
        } finally {
            run(asadmin("stop-domain", "--domaindir", domains.toString(), NAME));
        }
    }

    private List<String> asadmin(String... arguments) {
        List<String> command = new ArrayList<>(List.of("bash", payara.resolve("bin/asadmin").toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(2, Math.min(4, command.size())))
                    + " failed: see " + log);
        }
    }
}
