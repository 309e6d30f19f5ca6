package org.phrcloud.tools.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.identity.keycloak.ProvisionedRealm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's settings on the development stack, and how they land in a domain, written out. */
class ServerSettingsTest {
    private static final String DOMAIN_XML = """
            <domain>
              <configs>
                <config name="server-config">
                  <java-config classpath-suffix="">
                    <jvm-options>-Xmx2g</jvm-options>
                    <jvm-options>-Dphr.oidc.issuer=http://old</jvm-options>
                    <jvm-options>-Dphr.retired.setting=x</jvm-options>
                  </java-config>
                </config>
                <config name="default-config">
                  <java-config classpath-suffix="">
                    <jvm-options>-Xmx2g</jvm-options>
                  </java-config>
                </config>
              </configs>
            </domain>
            """;

    @Test
    void theServerGetsEachSettingOnceAndItsSecretsAsFiles() {
        ServerSettings settings = new ServerSettings("http://127.0.0.1:8180/realms/phr", "jdbc:h2:file:/h/data/fhir", "st-mary",
                "http://127.0.0.1:8545", "0x5FbDB2315678afecb367f032d93F642f64180aa3", Path.of("/h/secrets"),
                Map.of("phr.anchor.interval.seconds", "2"));

        assertThat(settings.properties("k1")).containsExactly(
                Map.entry("phr.oidc.issuer", "http://127.0.0.1:8180/realms/phr"),
                Map.entry("phr.db.url", "jdbc:h2:file:/h/data/fhir"),
                Map.entry("phr.institution.id", "st-mary"),
                Map.entry("phr.master.key.id", "k1"),
                Map.entry("phr.master.keys.file", "/h/secrets/master-keys"),
                Map.entry("phr.blind.index.key.file", "/h/secrets/blind-index.key"),
                Map.entry("phr.directory.client.secret.file", "/h/secrets/directory-client.secret"),
                Map.entry("phr.portal.client.secret.file", "/h/secrets/portal-client.secret"),
                Map.entry("phr.chain.rpc.url", "http://127.0.0.1:8545"),
                Map.entry("phr.chain.id", "31337"),
                Map.entry("phr.anchor.contract", "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
                Map.entry("phr.chain.sender.key.file", "/h/secrets/chain-sender.key"),
                Map.entry("phr.anchor.interval.seconds", "2"));
    }

    @Test
    void theSettingsReplaceTheServerConfigsEarlierOnesAndNothingElse() {
        String written = ServerSettings.withProperties(DOMAIN_XML,
                new java.util.LinkedHashMap<>(Map.of("phr.db.url", "jdbc:postgresql://db/phr?ssl=true&sslmode=require")));

        assertThat(written).isEqualTo("""
                <domain>
                  <configs>
                    <config name="server-config">
                      <java-config classpath-suffix="">
                        <jvm-options>-Xmx2g</jvm-options>
                        <jvm-options>-Dphr.db.url=jdbc:postgresql://db/phr?ssl=true&amp;sslmode=require</jvm-options>
                      </java-config>
                    </config>
                    <config name="default-config">
                      <java-config classpath-suffix="">
                        <jvm-options>-Xmx2g</jvm-options>
                      </java-config>
                    </config>
                  </configs>
                </domain>
                """);
        assertThat(ServerSettings.withProperties(written, Map.of("phr.db.url", "jdbc:postgresql://db/phr?ssl=true&sslmode=require")))
                .isEqualTo(written);
    }

    @Test
    void aFileThatIsNotADomainConfigurationIsRefused() {
        assertThatThrownBy(() -> ServerSettings.withProperties("<domain/>", Map.of()))
                .hasMessage("domain.xml has no java-config in its server-config");
    }

    @Test
    void theIdentityKeysAreMadeOnceAndKeptFromThenOn(@TempDir Path secrets) throws Exception {
        ServerSettings.identityKeys(secrets);
        String masterKeys = Files.readString(secrets.resolve("master-keys"));
        String blindIndexKey = Files.readString(secrets.resolve("blind-index.key"));
        ServerSettings.identityKeys(secrets);

        assertThat(masterKeys).matches("k1:[A-Za-z0-9+/]{43}=\n");
        assertThat(Files.readString(secrets.resolve("master-key.id"))).isEqualTo("k1\n");
        assertThat(blindIndexKey).matches("[A-Za-z0-9+/]{43}=\n");
        assertThat(Files.readString(secrets.resolve("master-keys"))).isEqualTo(masterKeys);
        assertThat(Files.readString(secrets.resolve("blind-index.key"))).isEqualTo(blindIndexKey);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve("master-keys")))).isEqualTo("rw-------");
    }

    @Test
    void aKeyOnceMadeIsNeverReplacedWhenAnotherFileIsMissing(@TempDir Path secrets) throws Exception {
        Files.writeString(secrets.resolve("master-keys"), "k7:MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\n");
        ServerSettings.identityKeys(secrets);

        assertThat(Files.readString(secrets.resolve("master-keys"))).isEqualTo("k7:MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\n");
        assertThat(Files.readString(secrets.resolve("master-key.id"))).isEqualTo("k7\n");
        assertThat(Files.readString(secrets.resolve("blind-index.key"))).matches("[A-Za-z0-9+/]{43}=\n");
    }

    @Test
    void anInstallationOfAnEarlierPhrKeepsItsIdentityKeys(@TempDir Path secrets) throws Exception {
        Files.writeString(secrets.resolve("identity.env"), """
                PHR_MASTER_KEY_ID=k2
                PHR_MASTER_KEYS=k1:MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=
                PHR_BLIND_INDEX_KEY=MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI=
                """);
        ServerSettings.identityKeys(secrets);

        assertThat(Files.readString(secrets.resolve("master-keys"))).isEqualTo("k1:MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=\n");
        assertThat(Files.readString(secrets.resolve("master-key.id"))).isEqualTo("k2\n");
        assertThat(Files.readString(secrets.resolve("blind-index.key"))).isEqualTo("MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI=\n");
    }

    @Test
    void theRealmsClientSecretsAndTheSettingsLandInTheDomain(@TempDir Path home) throws Exception {
        Path domain = home.resolve("domains/phr");
        Files.createDirectories(domain.resolve("config"));
        Files.writeString(domain.resolve("config/domain.xml"), DOMAIN_XML);
        ProvisionedRealm realm = new ProvisionedRealm("phr", "http://127.0.0.1:8180/realms/phr", "phr-backend", "backend-secret",
                "phr-portal", List.of(), "directory-secret", "phr-portal-web", "portal-web-secret");

        new ServerSettings("http://127.0.0.1:8180/realms/phr", "jdbc:h2:file:/h/data/fhir", "st-mary", "http://127.0.0.1:8545",
                "0xabc", home.resolve("secrets"), Map.of()).writeTo(domain, realm);

        assertThat(Files.readString(home.resolve("secrets/directory-client.secret"))).isEqualTo("directory-secret\n");
        assertThat(Files.readString(home.resolve("secrets/portal-client.secret"))).isEqualTo("portal-web-secret\n");
        assertThat(Files.readString(domain.resolve("config/domain.xml")))
                .contains("<jvm-options>-Dphr.oidc.issuer=http://127.0.0.1:8180/realms/phr</jvm-options>")
                .contains("<jvm-options>-Dphr.anchor.contract=0xabc</jvm-options>")
                .contains("<jvm-options>-Dphr.master.key.id=k1</jvm-options>")
                .doesNotContain("http://old").doesNotContain("phr.retired.setting")
                .doesNotContain("directory-secret").doesNotContain("portal-web-secret");
    }
}
