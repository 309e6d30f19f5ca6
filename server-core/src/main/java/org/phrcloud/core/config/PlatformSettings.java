package org.phrcloud.core.config;

import org.springframework.core.env.Environment;

/**
 * Configuration of the FHIR server, read from the environment: Java system properties first, then
 * environment variables (Spring's relaxed binding: {@code phr.db.url} is also {@code PHR_DB_URL}).
 *
 * <table>
 *   <tr><th>property</th><th>environment</th><th>default</th></tr>
 *   <tr><td>phr.db.url</td><td>PHR_DB_URL</td><td>H2 file {@code <domain>/phr-data/fhir} (Payara's instance root).
 *       An H2 file URL without its own {@code WRITE_DELAY} gets {@code ;WRITE_DELAY=0}: H2 otherwise writes commits to
 *       disk up to a second later, and a crash in that second loses writes already acknowledged</td></tr>
 *   <tr><td>phr.db.username / phr.db.password</td><td>PHR_DB_USERNAME / PHR_DB_PASSWORD</td><td>sa / empty (H2)</td></tr>
 *   <tr><td>phr.oidc.issuer</td><td>PHR_OIDC_ISSUER</td><td>required, e.g. http://127.0.0.1:8180/realms/phr</td></tr>
 *   <tr><td>phr.oidc.audience</td><td>PHR_OIDC_AUDIENCE</td><td>phr-backend</td></tr>
 *   <tr><td>phr.master.keys (or .file)</td><td>PHR_MASTER_KEYS (or _FILE)</td><td>required: master keys that wrap data keys of
 *       encrypted demographics, {@code id:BASE64} pairs separated by commas (see {@code MasterKeyRing})</td></tr>
 *   <tr><td>phr.master.key.id</td><td>PHR_MASTER_KEY_ID</td><td>required: the id of the key that wraps new data keys</td></tr>
 *   <tr><td>phr.blind.index.key (or .file)</td><td>PHR_BLIND_INDEX_KEY (or _FILE)</td><td>required: Base64 of at least 32 random bytes,
 *       the HMAC key of the identifier blind index; never changed once identities exist</td></tr>
 *   <tr><td>phr.institution.id</td><td>PHR_INSTITUTION_ID</td><td>required: the institution this deployment
 *       belongs to; it signs the ledger blocks written here</td></tr>
 *   <tr><td>phr.chain.rpc.url</td><td>PHR_CHAIN_RPC_URL</td><td>none: no anchoring (blocks wait in the outbox)</td></tr>
 *   <tr><td>phr.chain.id</td><td>PHR_CHAIN_ID</td><td>required with a chain: its EIP-155 chain id</td></tr>
 *   <tr><td>phr.anchor.contract</td><td>PHR_ANCHOR_CONTRACT</td><td>required with a chain: AnchorRegistry address</td></tr>
 *   <tr><td>phr.chain.sender.key (or .file)</td><td>PHR_CHAIN_SENDER_KEY (or _FILE)</td><td>required with a chain:
 *       the institution's secp256k1 account key (hex), admitted in the AnchorRegistry by the network's operator</td></tr>
 *   <tr><td>phr.anchor.interval.seconds</td><td>PHR_ANCHOR_INTERVAL_SECONDS</td><td>5</td></tr>
 *   <tr><td>phr.anchor.max.heads</td><td>PHR_ANCHOR_MAX_HEADS</td><td>400: chain heads per anchor transaction at
 *       most (bounded by the chain's block gas limit; a larger backlog takes several anchors in one round)</td></tr>
 *   <tr><td>phr.directory.client.secret (or .secret.file)</td><td>PHR_DIRECTORY_CLIENT_SECRET (or _FILE, a
 *       file holding it)</td><td>none: the admin API for institutions and accounts answers 503</td></tr>
 *   <tr><td>phr.emergency.hours</td><td>PHR_EMERGENCY_HOURS</td><td>24: how long an emergency access lasts (1 to 168);
 *       read by the consent service bean</td></tr>
 *   <tr><td>phr.research.dir</td><td>PHR_RESEARCH_DIR</td><td>{@code <domain>/phr-data/research}: where each released
 *       research data set gets a folder (its database, CSV and FHIR NDJSON exports, provenance); read by the research
 *       data sets bean</td></tr>
 * </table>
 * A secret "(or .file)" is given either itself or as the path of a file that holds it (container secrets; the
 * development stack writes its keys to files, so no key is on a command line). Secrets come from here only;
 * {@link #toString()} does not print them.
 *
 * @param dbUrl      JDBC URL: {@code jdbc:h2:...} or {@code jdbc:postgresql:...}
 * @param dbUsername database user
 * @param dbPassword database password (never logged)
 * @param issuer     the Keycloak realm URL tokens must carry in {@code iss}
 * @param audience   the client id tokens must carry in {@code aud}
 * @param masterKeys    master key ring text
 * @param masterKeyId   current master key id
 * @param blindIndexKey blind index HMAC key, Base64
 * @param directoryClientSecret secret of the {@code phr-directory} Keycloak client; null if not configured
 * @param institution   this deployment's institution id
 * @param chain         where and how to anchor; null when no chain is configured
 */
public record PlatformSettings(String dbUrl, String dbUsername, String dbPassword, String issuer, String audience,
                                 String masterKeys, String masterKeyId, String blindIndexKey,
                                 String directoryClientSecret, String institution, Chain chain) {

    /**
     * @param rpcUrl          JSON-RPC URL of a node of the permissioned chain
     * @param chainId         EIP-155 chain id
     * @param anchorContract  AnchorRegistry address
     * @param senderKey       secp256k1 private key of the institution's account (never logged)
     * @param intervalSeconds seconds between anchoring rounds
     * @param maxHeads        chain heads per anchor transaction at most
     */
    public record Chain(String rpcUrl, long chainId, String anchorContract, String senderKey, int intervalSeconds, int maxHeads) {
        @Override
        public String toString() {
            return "Chain[rpcUrl=" + rpcUrl + ", chainId=" + chainId + ", anchorContract=" + anchorContract
                    + ", intervalSeconds=" + intervalSeconds + ", maxHeads=" + maxHeads + ", key not shown]";
        }
    }

    public static PlatformSettings from(Environment env) {
        String instanceRoot = env.getProperty("com.sun.aas.instanceRoot", System.getProperty("java.io.tmpdir"));
        String issuer = env.getProperty("phr.oidc.issuer");
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalStateException("PHR-FHIR-0001: phr.oidc.issuer (PHR_OIDC_ISSUER) is not set");
        }
        return new PlatformSettings(
                durable(env.getProperty("phr.db.url", "jdbc:h2:file:" + instanceRoot + "/phr-data/fhir")),
                env.getProperty("phr.db.username", "sa"),
                env.getProperty("phr.db.password", ""),
                issuer.replaceAll("/+$", ""),
                env.getProperty("phr.oidc.audience", "phr-backend"),
                requiredSecret(env, "phr.master.keys", "PHR_MASTER_KEYS"),
                required(env, "phr.master.key.id", "PHR_MASTER_KEY_ID"),
                requiredSecret(env, "phr.blind.index.key", "PHR_BLIND_INDEX_KEY"),
                secret(env, "phr.directory.client.secret"),
                required(env, "phr.institution.id", "PHR_INSTITUTION_ID"),
                chain(env));
    }

    private static Chain chain(Environment env) {
        String rpc = env.getProperty("phr.chain.rpc.url");
        if (rpc == null || rpc.isBlank()) {
            return null;
        }
        String key = secret(env, "phr.chain.sender.key");
        if (key == null) {
            throw new IllegalStateException("PHR-FHIR-0002: phr.chain.sender.key (PHR_CHAIN_SENDER_KEY) is not set");
        }
        return new Chain(rpc.trim(), Long.parseLong(required(env, "phr.chain.id", "PHR_CHAIN_ID")),
                required(env, "phr.anchor.contract", "PHR_ANCHOR_CONTRACT"), key,
                Integer.parseInt(env.getProperty("phr.anchor.interval.seconds", "5")),
                Integer.parseInt(env.getProperty("phr.anchor.max.heads", "400")));
    }

    /**
     * An H2 file database that commits to disk at each commit ({@code WRITE_DELAY=0}, H2 "Durability Problems"): by
     * default H2 2.x writes committed changes in the background up to 1 s later, so a killed process loses them
     * (measured on this machine: 0 of 100 committed rows survived a halt right after the commits; 100 of 100 with
     * {@code WRITE_DELAY=0}, at about 0.5 ms more per commit). Other URLs are returned unchanged.
     */
    public static String durable(String url) {
        String u = url.trim();
        if (u.startsWith("jdbc:h2:file:") && !u.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
            return u + ";WRITE_DELAY=0";
        }
        return u;
    }

    /** A secret given directly, or as the path of a file that holds it (container secrets). */
    private static String secret(Environment env, String property) {
        String value = env.getProperty(property);
        if (value != null && !value.isBlank()) {
            return value.trim();
        }
        String file = env.getProperty(property + ".file");
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(file.trim())).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("PHR-FHIR-0003: cannot read " + property + ".file " + file, e);
        }
    }

    private static String requiredSecret(Environment env, String property, String variable) {
        String value = secret(env, property);
        if (value == null) {
            throw new IllegalStateException("PHR-FHIR-0002: " + property + " (" + variable + " or " + variable + "_FILE) is not set");
        }
        return value;
    }

    private static String required(Environment env, String property, String variable) {
        String value = env.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("PHR-FHIR-0002: " + property + " (" + variable + ") is not set");
        }
        return value.trim();
    }

    @Override
    public String toString() {
        return "PlatformSettings[dbUrl=" + dbUrl + ", dbUsername=" + dbUsername + ", issuer=" + issuer
                + ", audience=" + audience + ", masterKeyId=" + masterKeyId + ", institution=" + institution + ", chain=" + chain + ", secrets not shown]";
    }

    public boolean isPostgres() {
        return dbUrl.startsWith("jdbc:postgresql:");
    }

    public boolean isH2() {
        return dbUrl.startsWith("jdbc:h2:");
    }
}
