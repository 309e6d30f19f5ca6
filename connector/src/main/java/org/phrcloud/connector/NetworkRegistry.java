package org.phrcloud.connector;

import com.nimbusds.jose.jwk.JWKSet;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.PatientRegistry;
import org.web3j.protocol.Web3j;
import org.web3j.tx.exceptions.ContractCallException;
import org.web3j.tuples.generated.Tuple4;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.math.BigInteger;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The network's registries on chain, read-only (ARCHITECTURE.md "Federation"): the admitted institutions
 * ({@code AnchorRegistry.institutions}, {@code endpoints}), the JWK Set each one published ({@code jwks}), and where a
 * patient's chain lives ({@code PatientRegistry.lookup}: the institution that anchored its latest head; the latest
 * entry wins). Calls go to the node by JSON-RPC {@code eth_call}; an institution's endpoint and keys are cached for
 * {@link #KEY_CACHE} (a removed institution, a new endpoint or a new key takes effect after at most that).
 */
public final class NetworkRegistry {
    /** How long an institution's admission, endpoint and JWK Set are cached. */
    public static final Duration KEY_CACHE = Duration.ofSeconds(30);

    private final AnchorRegistry anchors;
    private final long chainId;
    private final Clock clock;
    private final Web3j web3j;
    private volatile PatientRegistry patients;
    private final Map<String, Cached<Optional<JWKSet>>> keys = new ConcurrentHashMap<>();
    private final Map<String, Cached<Institution>> endpoints = new ConcurrentHashMap<>();

    /**
     * An admitted institution.
     *
     * @param accountId its CAIP-10 account id ({@code eip155:<chain id>:<address>})
     * @param endpoint  its deployment's base URL (FHIR at {@code <endpoint>fhir}, JSON at {@code <endpoint>api})
     */
    public record Institution(String accountId, String endpoint) {
        /** The deployment's FHIR base, {@code <endpoint>/fhir}. */
        public String fhirBase() {
            return endpoint.replaceAll("/+$", "") + "/fhir";
        }
    }

    /**
     * The home of a patient's chain.
     *
     * @param pseudonym   the patient's pseudonym, 64 hex digits
     * @param institution the institution that anchored the chain's latest head (endpoint empty if it left the network)
     * @param head        that head's block hash, 64 hex digits
     * @param height      its height (blocks in the chain minus one)
     */
    public record Home(String pseudonym, Institution institution, String head, long height) {
    }

    private record Cached<T>(T value, Instant until) {
    }

    /** The cached value of {@code key}, or {@code load}'s, kept for {@link #KEY_CACHE}; a failed load is not kept. */
    private <T> T cached(Map<String, Cached<T>> cache, String key, java.util.function.Supplier<T> load) {
        Instant now = clock.instant();
        Cached<T> cached = cache.get(key);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.value();
        }
        T value = load.get();
        cache.put(key, new Cached<>(value, now.plus(KEY_CACHE)));
        return value;
    }

    /**
     * @param web3j          a client of a node of the network's chain
     * @param chainId        the chain's EIP-155 id (names accounts in CAIP-10 ids)
     * @param anchorRegistry the AnchorRegistry contract's address
     */
    public NetworkRegistry(Web3j web3j, long chainId, String anchorRegistry, Clock clock) {
        this.web3j = web3j;
        this.chainId = chainId;
        this.clock = clock;
        this.anchors = AnchorRegistry.load(anchorRegistry, web3j, new ReadonlyTransactionManager(web3j, null), new DefaultGasProvider());
    }

    public long chainId() {
        return chainId;
    }

    /** The client of the node this registry reads (for other reads of the same chain, e.g. anchors). */
    public Web3j web3j() {
        return web3j;
    }

    /**
     * The admitted institutions, in order of admission.
     *
     * @throws RegistryUnavailableException if the node does not answer
     */
    public List<Institution> institutions() {
        try {
            @SuppressWarnings("unchecked")
            List<Object> accounts = anchors.institutions().send();
            return accounts.stream().map(a -> institution(a.toString())).toList();
        } catch (Exception e) {
            throw new RegistryUnavailableException(e);
        }
    }

    /**
     * The institution of a CAIP-10 account id, its endpoint cached for {@link #KEY_CACHE}.
     *
     * @param admittedOnly true: empty if the account is not admitted (no endpoint on chain)
     * @return empty if it is not an account id of this chain
     * @throws RegistryUnavailableException if the node does not answer (and nothing is cached)
     */
    public Optional<Institution> institution(String accountId, boolean admittedOnly) {
        Optional<String> address = ClientAssertion.address(accountId);
        if (address.isEmpty() || !accountId.startsWith("eip155:" + chainId + ":")) {
            return Optional.empty();
        }
        Institution found = cached(endpoints, accountId, () -> institution(address.get()));
        return admittedOnly && found.endpoint().isEmpty() ? Optional.empty() : Optional.of(found);
    }

    private Institution institution(String address) {
        try {
            return new Institution(ClientAssertion.accountId(chainId, address), anchors.endpoints(address).send());
        } catch (Exception e) {
            throw new RegistryUnavailableException(e);
        }
    }

    /**
     * The JWK Set an admitted institution published; empty if it is not admitted, published none, or published text
     * that is not a JWK Set. Cached for {@link #KEY_CACHE}.
     *
     * @throws RegistryUnavailableException if the node does not answer (and nothing is cached)
     */
    public Optional<JWKSet> keys(String accountId) {
        return institution(accountId, true).isPresent() ? publishedKeys(accountId) : Optional.empty();
    }

    /**
     * The JWK Set an account published, whether it is admitted now or not: a block an institution signed while it was
     * admitted stays verifiable after it leaves the network (the registry keeps what it published). Cached for
     * {@link #KEY_CACHE}.
     */
    private Optional<JWKSet> publishedKeys(String accountId) {
        Optional<String> address = ClientAssertion.address(accountId);
        if (address.isEmpty() || !accountId.startsWith("eip155:" + chainId + ":")) {
            return Optional.empty();
        }
        return cached(keys, accountId, () -> {
            try {
                String text = anchors.jwks(address.get()).send();
                return text.isEmpty() ? Optional.empty() : Optional.of(JWKSet.parse(text));
            } catch (ParseException e) {
                return Optional.empty();
            } catch (Exception e) {
                throw new RegistryUnavailableException(e);
            }
        });
    }

    /**
     * The author key id of a block another institution signed: its CAIP-10 account id and the key's {@code kid} in the
     * JWK Set it published, joined by {@code #} (as a DID URL names a key).
     */
    public static String authorKeyId(String accountId, String keyId) {
        return accountId + "#" + keyId;
    }

    /**
     * The public key a block's author key id names, if it is {@code <account id>#<kid>} of an institution that published
     * that key (admitted now or before: history signed by an institution that left stays verifiable; whether it may add
     * a block now is the caller's admission, checked with its client assertion).
     *
     * @return empty for a local key id (no {@code #}), an account that never published, or a key it did not publish
     * @throws RegistryUnavailableException if the node does not answer (and nothing is cached)
     */
    public Optional<java.security.interfaces.ECPublicKey> blockKey(String authorKeyId) {
        int hash = authorKeyId.lastIndexOf('#');
        if (hash < 0) {
            return Optional.empty();
        }
        String kid = authorKeyId.substring(hash + 1);
        return publishedKeys(authorKeyId.substring(0, hash)).map(set -> set.getKeyByKeyId(kid))
                .filter(k -> k instanceof com.nimbusds.jose.jwk.ECKey ec && com.nimbusds.jose.jwk.Curve.P_256.equals(ec.getCurve()))
                .map(k -> {
                    try {
                        return k.toECKey().toECPublicKey();
                    } catch (com.nimbusds.jose.JOSEException e) {
                        return null;
                    }
                });
    }

    /**
     * Whether {@code signature} is the P1363 ECDSA P-256 signature (of SHA-256 of the block hash) by the published key
     * that {@code authorKeyId} names; false when it names none.
     */
    public boolean verifiesBlock(String authorKeyId, byte[] blockHash, byte[] signature) {
        return blockKey(authorKeyId).map(key -> org.phrcloud.ledger.chain.SignatureCheck.verifies(key, blockHash, signature)).orElse(false);
    }

    /**
     * Where a patient's chain lives.
     *
     * @param pseudonym 64 hex digits
     * @return empty if no institution anchored a head of that chain yet
     * @throws RegistryUnavailableException if the node does not answer
     */
    public Optional<Home> home(String pseudonym) {
        byte[] key = HexFormat.of().parseHex(pseudonym);
        try {
            if (patients == null) {
                patients = PatientRegistry.load(anchors.patientRegistry().send(), web3j, new ReadonlyTransactionManager(web3j, null),
                        new DefaultGasProvider());
            }
            Tuple4<String, byte[], BigInteger, String> found = patients.lookup(key).send();
            return Optional.of(new Home(pseudonym.toLowerCase(), new Institution(ClientAssertion.accountId(chainId, found.component4()),
                    found.component1()), HexFormat.of().formatHex(found.component2()), found.component3().longValueExact()));
        } catch (ContractCallException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new RegistryUnavailableException(e);
        }
    }

    /** The chain node could not be asked. */
    public static final class RegistryUnavailableException extends RuntimeException {
        RegistryUnavailableException(Exception cause) {
            super("PHR-FEDERATION-0503: the network registry on chain cannot be read: " + cause.getMessage(), cause);
        }
    }
}
