package org.phrcloud.tools.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.identity.totp.Totp;
import org.phrcloud.tools.DeployContractsCommand;
import org.phrcloud.tools.SecretFile;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of {@code ./phr up} that start the development stack ({@link DevStack}), as commands:
 * <pre>
 *   DevStackCommand anvil --bin FILE --port N --state FILE --log FILE --pid-file FILE
 *   DevStackCommand keycloak --dist DIR --port N --management-port N --log FILE --pid-file FILE
 *   DevStackCommand payara-domain --payara DIR --domaindir DIR --name NAME --portbase N --log FILE
 *   DevStackCommand server-settings --domain DIR --secrets DIR --realm-state FILE --contracts FILE
 *                   --issuer URL --db-url URL --institution ID --chain-rpc URL
 *   DevStackCommand demo-patient --realm-state FILE --base-url URL --out FILE
 *   DevStackCommand token --realm-state FILE --base-url URL --user NAME
 *   DevStackCommand totp --realm-state FILE --user NAME
 *   DevStackCommand summary --realm-state FILE --load FILE --demo-patient FILE --out FILE --base-url URL
 *                   --keycloak-url URL --anvil-port N --admin-port N --mllp-port N --secrets DIR --seed N --years N --seconds N
 * </pre>
 * {@code anvil} and {@code keycloak} start the process detached (a session of its own, so it outlives this command and
 * the terminal), write its PID, and wait until it is ready; they do nothing when the PID file names a live process.
 * Keycloak inherits this command's environment ({@code KC_BOOTSTRAP_ADMIN_*} for its first admin).
 * {@code payara-domain} creates and configures the domain once. {@code server-settings} writes the server's
 * {@link ServerSettings} into the stopped domain (the AnchorRegistry address from the contract deployment's state
 * file). {@code demo-patient} links the demo patient's login to a Synthea patient ({@link DemoSetup#linkDemoPatient});
 * {@code token} prints an access token of a demo user ({@link DemoSetup#token}), {@code totp} the user's current TOTP code;
 * {@code summary} writes what is up as JSON (mode 600) and prints it ({@link DemoSetup#summary}). Exit status 0 done, 1 failed (the log says why),
 * 2 unusable arguments.
 */
public final class DevStackCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DevStackCommand() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args.length % 2 == 0) {
            usage();
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage();
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        try {
            switch (args[0]) {
                case "anvil" -> {
                    int port = Integer.parseInt(required(options, "port"));
                    Path state = Path.of(required(options, "state"));
                    Files.createDirectories(state.getParent());
                    startDetached(DevStack.anvil(Path.of(required(options, "bin")), port, state), options);
                    DevStack.await("anvil", Duration.ofSeconds(30), () -> DevStack.anvilReady(port));
                }
                case "keycloak" -> {
                    int managementPort = Integer.parseInt(required(options, "management-port"));
                    startDetached(DevStack.keycloak(DevStack.keycloakHome(Path.of(required(options, "dist"))),
                            Integer.parseInt(required(options, "port")), managementPort), options);
                    DevStack.await("Keycloak", Duration.ofMinutes(3), () -> DevStack.keycloakReady(managementPort));
                }
                case "payara-domain" -> {
                    Path domainDir = Path.of(required(options, "domaindir"));
                    String name = required(options, "name");
                    if (!Files.exists(domainDir.resolve(name))) {
                        run(DevStack.createDomain(Path.of(required(options, "payara")), domainDir, name,
                                Integer.parseInt(required(options, "portbase"))), Path.of(required(options, "log")));
                        DevStack.configureDomain(domainDir.resolve(name));
                    }
                }
                case "server-settings" -> {
                    String anchorRegistry = JSON.readValue(Path.of(required(options, "contracts")).toFile(),
                            DeployContractsCommand.Deployed.class).anchorRegistry();
                    new ServerSettings(required(options, "issuer"), required(options, "db-url"), required(options, "institution"),
                            required(options, "chain-rpc"), anchorRegistry, Path.of(required(options, "secrets")), Map.of())
                            .writeTo(Path.of(required(options, "domain")), Path.of(required(options, "realm-state")));
                }
                case "demo-patient" -> SecretFile.write(Path.of(required(options, "out")), DemoSetup.linkDemoPatient(
                        realm(options), required(options, "base-url")).toString());
                case "token" -> System.out.println(DemoSetup.token(realm(options), required(options, "base-url"), required(options, "user")));
                case "totp" -> System.out.println(Totp.code(realm(options).user(required(options, "user")).totpSecret(),
                        java.time.Instant.now()));
                case "summary" -> {
                    Path out = Path.of(required(options, "out"));
                    var up = DemoSetup.summary(new DemoSetup.Ports(required(options, "base-url"), required(options, "keycloak-url"),
                                    number(options, "anvil-port"), number(options, "admin-port"), number(options, "mllp-port"),
                                    Path.of(required(options, "secrets"))), realm(options),
                            JSON.readTree(Path.of(required(options, "load")).toFile()),
                            JSON.readTree(Path.of(required(options, "demo-patient")).toFile()),
                            number(options, "seed"), number(options, "years"), number(options, "seconds"));
                    SecretFile.write(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(up));
                    System.out.print(DemoSetup.text(up, out.toString()));
                }
                default -> usage();
            }
        } catch (IllegalStateException | IllegalArgumentException | IOException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    /** Starts the command in a session of its own, output to the log, unless the PID file names a live process. */
    private static void startDetached(List<String> command, Map<String, String> options) throws IOException {
        Path pidFile = Path.of(required(options, "pid-file"));
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return;
            }
        }
        List<String> detached = new ArrayList<>(List.of("setsid"));
        detached.addAll(command);
        Process p = new ProcessBuilder(detached).redirectErrorStream(true)
                .redirectOutput(Path.of(required(options, "log")).toFile()).redirectInput(new File("/dev/null")).start();
        Files.writeString(pidFile, p.pid() + "\n");
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(3, command.size()))) + " failed: see " + log);
        }
    }

    private static ProvisionedRealm realm(Map<String, String> options) throws IOException {
        return JSON.readValue(Path.of(required(options, "realm-state")).toFile(), ProvisionedRealm.class);
    }

    private static int number(Map<String, String> options, String name) {
        try {
            return Integer.parseInt(required(options, name));
        } catch (NumberFormatException e) {
            usage();
            return 0;
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            usage();
        }
        return value;
    }

    private static void usage() {
        System.err.println("usage: DevStackCommand anvil --bin FILE --port N --state FILE --log FILE --pid-file FILE\n"
                + "       DevStackCommand keycloak --dist DIR --port N --management-port N --log FILE --pid-file FILE\n"
                + "       DevStackCommand payara-domain --payara DIR --domaindir DIR --name NAME --portbase N --log FILE\n"
                + "       DevStackCommand server-settings --domain DIR --secrets DIR --realm-state FILE --contracts FILE\n"
                + "                       --issuer URL --db-url URL --institution ID --chain-rpc URL\n"
                + "       DevStackCommand demo-patient --realm-state FILE --base-url URL --out FILE\n"
                + "       DevStackCommand token --realm-state FILE --base-url URL --user NAME\n"
                + "       DevStackCommand totp --realm-state FILE --user NAME\n"
                + "       DevStackCommand summary --realm-state FILE --load FILE --demo-patient FILE --out FILE --base-url URL\n"
                + "                       --keycloak-url URL --anvil-port N --admin-port N --mllp-port N --secrets DIR\n"
                + "                       --seed N --years N --seconds N");
        System.exit(2);
    }
}
