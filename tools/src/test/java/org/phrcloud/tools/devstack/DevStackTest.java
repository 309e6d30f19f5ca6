package org.phrcloud.tools.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The development stack's command lines and domain configuration, written out. */
class DevStackTest {
    @Test
    void anvilIsTheDevelopmentChainOnTheLoopbackWithAPersistedState() {
        assertThat(DevStack.anvil(Path.of("/opt/anvil"), 8545, Path.of("/h/anvil/state.json"))).containsExactly(
                "/opt/anvil", "--host", "127.0.0.1", "--port", "8545", "--chain-id", "31337", "--block-time", "1",
                "--state", "/h/anvil/state.json", "--state-interval", "1");
    }

    @Test
    void keycloakRunsInDevModeOnTheLoopbackWithItsHealthEndpoints() {
        assertThat(DevStack.keycloak(Path.of("/d/keycloak-26.7.3"), 8180, 9180)).containsExactly(
                "bash", "/d/keycloak-26.7.3/bin/kc.sh", "start-dev", "--http-host=127.0.0.1", "--http-port=8180",
                "--http-management-port=9180", "--health-enabled=true");
        assertThat(DevStack.keycloakAdmin("secret")).containsOnly(
                java.util.Map.entry("KC_BOOTSTRAP_ADMIN_USERNAME", "admin"), java.util.Map.entry("KC_BOOTSTRAP_ADMIN_PASSWORD", "secret"));
    }

    @Test
    void aDomainIsCreatedWithItsPortBaseInItsFolder() {
        assertThat(DevStack.createDomain(Path.of("/d/payara6"), Path.of("/h/domains"), "phr", 8000)).containsExactly(
                "bash", "/d/payara6/bin/asadmin", "create-domain", "--nopassword=true", "--portbase", "8000",
                "--domaindir", "/h/domains", "phr");
        assertThat(DevStack.createDomain(Path.of("/d/payara6"), null, "phr-it", 28000)).isEqualTo(List.of(
                "bash", "/d/payara6/bin/asadmin", "create-domain", "--nopassword=true", "--portbase", "28000", "phr-it"));
    }

    @Test
    void aDomainGetsTwoGigabytesOfHeapAndLoopbackListenersOnly(@TempDir Path domain) throws Exception {
        Files.createDirectories(domain.resolve("config"));
        Files.writeString(domain.resolve("config/domain.xml"), """
                <jvm-options>-Xmx512m</jvm-options>
                <network-listener port="8080" protocol="http-listener-1" name="http-listener-1"/>
                <network-listener address="0.0.0.0" port="8048" name="admin-listener"/>
                """);
        DevStack.configureDomain(domain);
        assertThat(Files.readString(domain.resolve("config/domain.xml"))).isEqualTo("""
                <jvm-options>-Xmx2g</jvm-options>
                <network-listener address="127.0.0.1" port="8080" protocol="http-listener-1" name="http-listener-1"/>
                <network-listener address="127.0.0.1" port="8048" name="admin-listener"/>
                """);
    }
}
