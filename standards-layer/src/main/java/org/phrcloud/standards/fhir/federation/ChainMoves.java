package org.phrcloud.standards.fhir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.erdtman.jcs.JsonCanonicalizer;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.core.federation.FederatedCallers;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.keys.Pseudonym;
import org.phrcloud.identity.mpi.IdentityConflictException;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;
import org.phrcloud.ledger.anchor.ChainExport;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.ledger.verify.ChainExportVerifier;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moving a patient's home to another deployment (ARCHITECTURE.md "Federation", moving a patient's home; issue 22
 * step 7). The patient asks their home with a request they sign with their key (the {@link #document} of the move);
 * the home, in one database transaction, records the move (from then on it appends nothing to the chain: writes to
 * the patient's records are refused with 409 {@code PHR-LEDGER-0303} naming the new home) and hands the chain over to
 * the new home ({@code POST <new home>api/federation/patients/<pseudonym>/chain}, with a client assertion for the
 * patient), rolling the move back if the new home does not take it.
 *
 * <p>The new home takes it only from the institution the registry names as the chain's home, with the patient's
 * request signed by the key the pseudonym derives from, naming this deployment, and after verifying the whole chain
 * offline with the standalone verifier ({@link ChainExportVerifier}: links, heights, every block's signature with the
 * key its institution published on chain, every anchor's inclusion path and transaction). It stores the chain, notes
 * the institutions that kept it before (their blocks' key ids and record ids are theirs), registers the patient's
 * identity (their public key; no demographics came), and queues the head for its next anchor, which makes it the home
 * in the {@code PatientRegistry} (latest entry wins). The former home keeps every record it stored; the new home
 * fetches them from there on demand (a record of a moved chain is given to the chain's home) and checks each against
 * the chain.
 */
public final class ChainMoves {
    /** The {@code action} of a move request. */
    public static final String ACTION = "move-home";
    /** How old a signed request may be when the former home and the new home check it. */
    public static final Duration FRESH = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcChainStore chains;
    private final ResourceProofs proofs;
    private final MasterPatientIndex mpi;
    private final NetworkRegistry registry;
    private final FederationClient client;
    private final ChainExportVerifier.AnchorEvidence anchors;
    private final TransactionTemplate transactions;
    private final String ownAccountId;
    private final String ownInstitution;
    private final Clock clock;

    /**
     * @param anchors        the on-chain check of a handed-over chain's anchors
     * @param ownAccountId   this deployment's institution account (CAIP-10)
     * @param ownInstitution this deployment's institution id, the home institution of a patient who moved here
     */
    public ChainMoves(JdbcChainStore chains, ResourceProofs proofs, MasterPatientIndex mpi, NetworkRegistry registry, FederationClient client,
                      ChainExportVerifier.AnchorEvidence anchors, PlatformTransactionManager transactionManager, String ownAccountId,
                      String ownInstitution, Clock clock) {
        this.chains = chains;
        this.proofs = proofs;
        this.mpi = mpi;
        this.registry = registry;
        this.client = client;
        this.anchors = anchors;
        this.transactions = new TransactionTemplate(transactionManager);
        this.ownAccountId = ownAccountId;
        this.ownInstitution = ownInstitution;
        this.clock = clock;
    }

    /**
     * The move request the patient signs: RFC 8785 canonical JSON
     * {@code {"action":"move-home","pseudonym":"<64 hex>","requested":"<ISO-8601 instant>","to":"<CAIP-10 account id>"}}
     * (its UTF-8 bytes are signed with ECDSA P-256, SHA-256, P1363 form, as consent decisions are).
     */
    public static String document(String pseudonym, String to, Instant requested) {
        try {
            return new JsonCanonicalizer(JSON.writeValueAsString(Map.of("action", ACTION, "pseudonym", pseudonym,
                    "requested", requested.toString(), "to", to))).getEncodedString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request's fields. */
    private record Request(String pseudonym, String to, Instant requested) {
    }

    private Request parse(String document, String pseudonym) throws FederationClient.Refused {
        try {
            JsonNode json = JSON.readTree(document);
            Request request = new Request(json.path("pseudonym").asText(), json.path("to").asText(),
                    Instant.parse(json.path("requested").asText()));
            Instant now = clock.instant();
            if (!ACTION.equals(json.path("action").asText()) || !request.pseudonym().equals(pseudonym)
                    || request.requested().isBefore(now.minus(FRESH)) || request.requested().isAfter(now.plus(Duration.ofMinutes(1)))) {
                throw refused(400, "PHR-FEDERATION-0423: the request must be a move-home of this pseudonym, made in the last "
                        + FRESH.toMinutes() + " minutes");
            }
            return request;
        } catch (IOException | DateTimeParseException e) {
            throw refused(400, "PHR-FEDERATION-0423: the request is not a move document (JSON with action, pseudonym, requested, to)");
        }
    }

    private static FederationClient.Refused refused(int status, String message) {
        return new FederationClient.Refused(status, message);
    }

    /**
     * What the former home sends the new home.
     *
     * @param document    the patient's request as signed
     * @param signature   its signature, Base64 (P1363)
     * @param publicKey   the patient's public key, Base64 of its DER SubjectPublicKeyInfo (the pseudonym is its SHA-256)
     * @param formerHomes every institution that kept the chain (CAIP-10 account id, the last height it kept), the sender
     *                    last (through the head)
     * @param chain       the chain with the evidence of its anchors
     */
    public record HandOver(String document, String signature, String publicKey, List<JdbcChainStore.FormerHome> formerHomes,
                           ChainExport chain) {
    }

    /**
     * A chain moved away.
     *
     * @param to     the new home
     * @param height the head's height handed over
     */
    public record Moved(String pseudonym, NetworkRegistry.Institution to, long height) {
    }

    /**
     * Moves the chain of the patient calling (their identity here; the API checks who calls) to another home.
     *
     * @param document  the {@link #document} the patient signed
     * @param signature its signature with the patient's key
     * @throws FederationClient.Refused 400 {@code PHR-FEDERATION-0423} (not the patient's signed request, stale, or no
     *                                  admitted institution other than this one), 409 {@code 0417} (this deployment is not
     *                                  the chain's home), 409 {@code PHR-LEDGER-0303} / {@code 0304} (moved already; the head
     *                                  waits for its anchor), 502 {@code PHR-FEDERATION-0507} with the new home's answer
     * @throws NetworkRegistry.RegistryUnavailableException when the chain cannot be read
     */
    public Moved moveOut(Caller patient, PatientIdentity identity, String document, byte[] signature) throws FederationClient.Refused {
        String pseudonym = identity.pseudonym();
        Request request = parse(document, pseudonym);
        if (!verifies(identity.publicKey(), document, signature)) {
            throw refused(400, "PHR-FEDERATION-0423: the request is not signed with the patient's key");
        }
        NetworkRegistry.Institution to = registry.institution(request.to(), true).filter(i -> !i.accountId().equals(ownAccountId))
                .filter(i -> !i.endpoint().isEmpty())
                .orElseThrow(() -> refused(400, "PHR-FEDERATION-0423: the new home must be another admitted institution"));
        Optional<NetworkRegistry.Home> home = registry.home(pseudonym);
        if (home.isEmpty()) {
            throw refused(409, "PHR-LEDGER-0304: the chain's head waits for its anchor; it moves once anchored");
        }
        if (!home.get().institution().accountId().equals(ownAccountId)) {
            throw refused(409, "PHR-FEDERATION-0417: this deployment is not the home of this patient's chain");
        }
        try {
            return transactions.execute(status -> chains.moveOut(pseudonym, to.accountId(), document, signature, (height, formerHomes) -> {
                List<JdbcChainStore.FormerHome> homes = new ArrayList<>(formerHomes);
                homes.add(new JdbcChainStore.FormerHome(ownAccountId, height));
                ChainExport export = proofs.export(pseudonym).orElseThrow();
                HandOver handOver = new HandOver(document, Base64.getEncoder().encodeToString(signature),
                        Base64.getEncoder().encodeToString(identity.publicKey()), homes, export);
                java.net.http.HttpResponse<String> answer;
                try {
                    answer = client.send(to, FederatedCallers.actingParty(patient, "PATRQT"), "POST",
                            "api/federation/patients/" + pseudonym + "/chain", "application/json", JSON.writeValueAsString(handOver));
                } catch (IOException e) {
                    throw new NotTaken(refused(502, "PHR-FEDERATION-0507: the new home cannot be reached; the chain stays here"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NotTaken(refused(502, "PHR-FEDERATION-0507: interrupted; the chain stays here"));
                }
                if (answer.statusCode() != 201) {
                    throw new NotTaken(refused(502, "PHR-FEDERATION-0507: the new home answered " + answer.statusCode() + " ("
                            + code(answer.body()) + "); the chain stays here"));
                }
                return new Moved(pseudonym, to, height);
            }));
        } catch (NotTaken e) {
            throw e.refusal;
        } catch (JdbcChainStore.MoveRefusedException e) {
            throw refused(409, e.getMessage());
        }
    }

    /** The {@code code} of an RFC 9457 problem, else its status line's worth. */
    private static String code(String body) {
        try {
            return JSON.readTree(body).path("code").asText("no code");
        } catch (IOException e) {
            return "no problem document";
        }
    }

    /** Carries a refusal out of the transaction, rolling the move back. */
    private static final class NotTaken extends RuntimeException {
        final FederationClient.Refused refusal;

        NotTaken(FederationClient.Refused refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.refusal = refusal;
        }
    }

    /**
     * A chain moved here.
     *
     * @param blocks   how many blocks it has
     * @param anchored the highest height an anchor covers
     */
    public record MovedIn(String pseudonym, int blocks, long anchored) {
    }

    /**
     * Takes a chain the patient's home hands over (the caller is that home acting for the patient).
     *
     * @throws FederationClient.Refused 403 {@code PHR-FEDERATION-0424} (the caller is not the chain's home), 400
     *                                  {@code 0423} (not the patient's signed request for a move here), 422 {@code 0425}
     *                                  (the chain does not verify: the first problems), 409 {@code PHR-LEDGER-0303} /
     *                                  {@code PHR-IDENTITY-0320} (kept here already)
     * @throws NetworkRegistry.RegistryUnavailableException when the chain cannot be read
     */
    public MovedIn moveIn(Caller caller, String pseudonym, HandOver handOver) throws FederationClient.Refused {
        String from = caller.clientId(); // a federated caller's client is its institution's account (FederatedCallers)
        if (!registry.home(pseudonym).map(h -> h.institution().accountId().equals(from)).orElse(false)) {
            throw refused(403, "PHR-FEDERATION-0424: only the home of the patient's chain hands it over");
        }
        if (handOver == null || handOver.document() == null || handOver.signature() == null || handOver.publicKey() == null
                || handOver.chain() == null || handOver.formerHomes() == null || handOver.formerHomes().isEmpty()
                || handOver.formerHomes().stream().anyMatch(h -> h == null || h.institution() == null)) {
            throw refused(400, "PHR-FEDERATION-0423: a hand-over has the signed request, the patient's key, the former homes and the chain");
        }
        Request request = parse(handOver.document(), pseudonym);
        byte[] publicKey;
        byte[] signature;
        try {
            publicKey = Base64.getDecoder().decode(handOver.publicKey());
            signature = Base64.getDecoder().decode(handOver.signature());
        } catch (IllegalArgumentException e) {
            throw refused(400, "PHR-FEDERATION-0423: the key and the signature are Base64");
        }
        PublicKey key = patientKey(publicKey).filter(k -> Pseudonym.of(k).value().equals(pseudonym))
                .orElseThrow(() -> refused(400, "PHR-FEDERATION-0423: the public key is not the one the pseudonym derives from"));
        if (!request.to().equals(ownAccountId) || !verifies(publicKey, handOver.document(), signature)) {
            throw refused(400, "PHR-FEDERATION-0423: the request is not the patient's signed request for a move here");
        }
        List<JdbcChainStore.FormerHome> formerHomes = handOver.formerHomes();
        ChainExport export = handOver.chain();
        JdbcChainStore.FormerHome sender = formerHomes.get(formerHomes.size() - 1);
        if (!pseudonym.equals(export.pseudonym()) || export.blocks() == null || export.blocks().isEmpty() || export.anchors() == null
                || !sender.institution().equals(from) || sender.throughHeight() != export.blocks().size() - 1) {
            throw refused(422, "PHR-FEDERATION-0425: the chain handed over is not this pseudonym's, or not whole through the sender");
        }
        // every block here was signed elsewhere: by a former home (unqualified key id) or another institution (<account>#<kid>)
        ChainExportVerifier.Report report = new ChainExportVerifier(block -> registry.blockKey(
                org.phrcloud.standards.fhir.ledger.LedgerVerifier.authorKeyId(block, formerHomes)).map(k -> (PublicKey) k), anchors)
                .verify(export, null);
        if (!report.valid()) {
            throw refused(422, "PHR-FEDERATION-0425: the chain handed over does not verify: "
                    + String.join("; ", report.problems().subList(0, Math.min(3, report.problems().size()))));
        }
        List<Block> blocks = export.blocks().stream().map(b -> Block.decode(HexFormat.of().parseHex(b.encoding()),
                Base64.getDecoder().decode(b.signature()))).toList();
        try {
            transactions.executeWithoutResult(status -> {
                chains.importChain(blocks, formerHomes);
                mpi.registerMovedIn(key, ownInstitution, "federation:" + from);
            });
        } catch (JdbcChainStore.MoveRefusedException | IdentityConflictException e) {
            throw refused(409, e.getMessage());
        }
        return new MovedIn(pseudonym, blocks.size(), report.anchoredHeight());
    }

    private static Optional<PublicKey> patientKey(byte[] subjectPublicKeyInfo) {
        try {
            return Optional.of(EcdsaP256.publicKey(subjectPublicKeyInfo));
        } catch (InvalidKeySpecException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean verifies(byte[] publicKey, String document, byte[] signature) {
        return patientKey(publicKey).map(k -> EcdsaP256.verify(k, document.getBytes(StandardCharsets.UTF_8), signature)).orElse(false);
    }
}
