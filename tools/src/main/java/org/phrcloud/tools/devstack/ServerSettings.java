package org.phrcloud.tools.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.tools.SecretFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the PHR server on the development stack, defined once for {@code ./phr} and the integration-test
 * fixture, and written into the Payara domain as Java system properties ({@code -Dphr.oidc.issuer=...}; the server's
 * {@code PlatformSettings} and the portal's {@code PortalSettings} read them, system properties before environment
 * variables). Every secret is given as a file ({@code phr.*.file}, mode 600 in the {@code secrets} folder), so no key
 * is on the server's command line.
 *
 * <p>The identity keys (master key ring and blind index key) are made once per installation
 * ({@link #identityKeys(Path)}); losing them makes the stored demographics unreadable. The realm's client secrets come
 * from the provisioning state ({@link ProvisionedRealm}), the chain sender key file from
 * {@code DeployContractsCommand --sender-key-file}.
 *
 * @param issuer         the Keycloak realm URL, e.g. {@code http://127.0.0.1:8180/realms/phr}
 * @param dbUrl          JDBC URL of the FHIR database
 * @param institution    this deployment's institution id ({@code st-mary} in the demo realm)
 * @param chainRpcUrl    anvil's JSON-RPC URL (chain id {@value DevChain#CHAIN_ID})
 * @param anchorContract the AnchorRegistry address
 * @param secrets        folder of the secret files: {@code master-keys}, {@code blind-index.key},
 *                       {@code directory-client.secret}, {@code portal-client.secret}, {@code chain-sender.key}
 * @param more           further settings by property name (e.g. {@code phr.anchor.interval.seconds}); not secrets
 */
public record ServerSettings(String issuer, String dbUrl, String institution, String chainRpcUrl, String anchorContract,
                             Path secrets, Map<String, String> more) {
    /** The id of the master key the development stack makes first. */
    public static final String FIRST_MASTER_KEY_ID = "k1";
    private static final String BEGIN = "<config name=\"server-config\">";
    private static final Pattern ENV_LINE = Pattern.compile("(PHR_[A-Z_]+)=(.*)");
    private static final Pattern PHR_OPTION = Pattern.compile("[ \\t]*<jvm-options>-Dphr\\.[^<]*</jvm-options>\\r?\\n");

    /**
     * @param masterKeyId the id of the master key that wraps new data keys (the {@code master-key.id} file)
     * @return the system properties of the server, in a stable order
     */
    public Map<String, String> properties(String masterKeyId) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("phr.oidc.issuer", issuer);
        p.put("phr.db.url", dbUrl);
        p.put("phr.institution.id", institution);
        p.put("phr.master.key.id", masterKeyId);
        p.put("phr.master.keys.file", secrets.resolve("master-keys").toString());
        p.put("phr.blind.index.key.file", secrets.resolve("blind-index.key").toString());
        p.put("phr.directory.client.secret.file", secrets.resolve("directory-client.secret").toString());
        p.put("phr.portal.client.secret.file", secrets.resolve("portal-client.secret").toString());
        p.put("phr.chain.rpc.url", chainRpcUrl);
        p.put("phr.chain.id", String.valueOf(DevChain.CHAIN_ID));
        p.put("phr.anchor.contract", anchorContract);
        p.put("phr.chain.sender.key.file", secrets.resolve("chain-sender.key").toString());
        p.putAll(more);
        return p;
    }

    /**
     * Writes the realm's client secrets into the secrets folder, makes the identity keys if there are none yet, and
     * puts {@link #properties(String)} into the domain's server configuration in place of the {@code -Dphr.*} options it had.
     * The domain must not be running (Payara writes {@code domain.xml} back when it stops).
     *
     * @param domain the domain folder ({@code .../domains/NAME})
     * @param realm  the provisioned realm, for the directory and portal client secrets
     */
    public void writeTo(Path domain, ProvisionedRealm realm) throws IOException {
        SecretFile.write(secrets.resolve("directory-client.secret"), realm.directoryClientSecret());
        SecretFile.write(secrets.resolve("portal-client.secret"), realm.portalWebClientSecret());
        identityKeys(secrets);
        Path xml = domain.resolve("config/domain.xml");
        Files.writeString(xml, withProperties(Files.readString(xml),
                properties(Files.readString(secrets.resolve("master-key.id")).strip())));
    }

    /** As {@link #writeTo(Path, ProvisionedRealm)}, with the realm read from the provisioning state file. */
    public void writeTo(Path domain, Path realmState) throws IOException {
        writeTo(domain, new ObjectMapper().readValue(realmState.toFile(), ProvisionedRealm.class));
    }

    /**
     * {@code domain.xml} with the {@code -Dphr.*} JVM options of the {@code server-config} replaced by
     * {@code properties} (values XML-escaped); everything else is kept as it was.
     *
     * @throws IllegalStateException when the text has no {@code server-config} with a {@code java-config}
     */
    public static String withProperties(String domainXml, Map<String, String> properties) {
        int config = domainXml.indexOf(BEGIN);
        int end = config < 0 ? -1 : domainXml.indexOf("</java-config>", config);
        if (end < 0) {
            throw new IllegalStateException("domain.xml has no java-config in its server-config");
        }
        int lineStart = domainXml.lastIndexOf('\n', end) + 1;
        String head = PHR_OPTION.matcher(domainXml.substring(config, lineStart)).replaceAll("");
        String indent = domainXml.substring(lineStart, end) + "  ";
        StringBuilder options = new StringBuilder();
        properties.forEach((name, value) -> options.append(indent).append("<jvm-options>-D").append(name).append('=')
                .append(escape(value)).append("</jvm-options>\n"));
        return domainXml.substring(0, config) + head + options + domainXml.substring(lineStart);
    }

    /**
     * The identity keys of this installation, made once: {@code master-keys} ({@code k1:} and Base64 of 32 random bytes,
     * the AES master key ring), {@code master-key.id} (the id of the current key, {@code k1}) and
     * {@code blind-index.key} (Base64 of 32 random bytes, the HMAC key of the identifier blind index), mode 600. To
     * rotate, add {@code ,k2:...} to the ring and write {@code k2} to the id file. An installation made by an earlier
     * {@code ./phr} keeps its keys from {@code identity.env} ({@code PHR_MASTER_KEYS=}, {@code PHR_MASTER_KEY_ID=},
     * {@code PHR_BLIND_INDEX_KEY=} lines).
     */
    static void identityKeys(Path secrets) throws IOException {
        Path masterKeys = secrets.resolve("master-keys");
        Path masterKeyId = secrets.resolve("master-key.id");
        Path blindIndexKey = secrets.resolve("blind-index.key");
        if (Files.exists(masterKeys) && Files.exists(masterKeyId) && Files.exists(blindIndexKey)) {
            return;
        }
        Path legacy = secrets.resolve("identity.env");
        Map<String, String> earlier = new LinkedHashMap<>();
        if (Files.exists(legacy)) {
            for (String line : Files.readAllLines(legacy)) {
                Matcher m = ENV_LINE.matcher(line.strip());
                if (m.matches()) {
                    earlier.put(m.group(1), m.group(2));
                }
            }
        }
        // each file is made only when missing: a key once made is never replaced
        if (!Files.exists(masterKeys)) {
            SecretFile.write(masterKeys, earlier.getOrDefault("PHR_MASTER_KEYS", FIRST_MASTER_KEY_ID + ":" + random32()));
        }
        if (!Files.exists(masterKeyId)) {
            String ring = Files.readString(masterKeys).strip();
            SecretFile.write(masterKeyId, earlier.getOrDefault("PHR_MASTER_KEY_ID", ring.substring(0, Math.max(0, ring.indexOf(':')))));
        }
        if (!Files.exists(blindIndexKey)) {
            SecretFile.write(blindIndexKey, earlier.getOrDefault("PHR_BLIND_INDEX_KEY", random32()));
        }
    }

    private static String random32() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
