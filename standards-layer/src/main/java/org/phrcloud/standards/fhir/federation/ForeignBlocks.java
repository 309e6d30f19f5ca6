package org.phrcloud.standards.fhir.federation;

import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.consent.ConsentIndex;
import org.phrcloud.consent.ConsentRecord;
import org.phrcloud.consent.ConsentTerms;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Blocks that another institution appends to a patient's chain kept here (ARCHITECTURE.md "Federation", records
 * kept elsewhere; issue 22 step 5). The other institution keeps the record; the home's chain gets a block whose
 * entries name it by its absolute URL there and its content hash, signed by that institution. A block is accepted
 * only when all of these hold, else refused with the code named:
 * <ol>
 *   <li>it decodes (format 1, entries root) and is for the pseudonym asked (400 {@code PHR-FEDERATION-0416});</li>
 *   <li>this deployment is the home of the chain: the registry names it, or nothing was anchored yet and the chain is
 *       here (409 {@code 0417});</li>
 *   <li>its author key id is {@code <caller's institution account>#<kid>} and the signature verifies with that key as
 *       the institution published it on chain (403 {@code 0415}: a block signed by a key that is not the caller's);</li>
 *   <li>its practitioner is the calling person ({@code <subject_id>@<account id>}, 403 {@code 0419});</li>
 *   <li>every entry creates or updates a record at the caller's own FHIR endpoint
 *       ({@code <endpoint>fhir/<type>/<id>}, the type the entry names; 400 {@code 0416});</li>
 *   <li>a consent or emergency access in force opens the patient's record to that person (or their institution)
 *       for every entry's type (403 {@code 0418});</li>
 *   <li>it extends the chain's head (409 {@code PHR-LEDGER-0302}; a block sent again is refused here), and the chain
 *       has not moved to another home (409 {@code PHR-LEDGER-0303}, naming it).</li>
 * </ol>
 * The accepted block is stored as any other and anchored by this deployment's anchoring, which keeps this
 * deployment the chain's home.
 */
public final class ForeignBlocks {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    private final JdbcChainStore chains;
    private final ConsentIndex consents;
    private final NetworkRegistry registry;
    private final String ownAccountId;
    private final Clock clock;

    public ForeignBlocks(JdbcChainStore chains, ConsentIndex consents, NetworkRegistry registry, String ownAccountId, Clock clock) {
        this.chains = chains;
        this.consents = consents;
        this.registry = registry;
        this.ownAccountId = ownAccountId;
        this.clock = clock;
    }

    /** A refusal; the message starts with its {@code PHR-...} code. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * The head of a chain kept here, for a caller of another deployment to whom a consent or emergency access in force
     * opens the patient's record (what it needs to make the next block).
     *
     * @return empty if no chain of the pseudonym is kept here
     * @throws Refused 403 {@code PHR-FEDERATION-0418} without such a consent
     */
    public Optional<Block> head(Caller caller, String pseudonym) throws Refused {
        if (inForce(caller, pseudonym).isEmpty()) {
            throw new Refused("PHR-FEDERATION-0418: no consent or emergency access in force opens this record to the caller");
        }
        return chains.head(pseudonym);
    }

    private List<ConsentRecord> inForce(Caller caller, String pseudonym) {
        Instant now = clock.instant();
        return consents.inForce(caller.subject(), caller.institutions(), now).stream().filter(c -> c.pseudonym().equals(pseudonym)).toList();
    }

    /**
     * Checks and appends a block.
     *
     * @param caller    the verified caller of another deployment (its institution is the assertion's issuer)
     * @param encoding  the block's canonical encoding ({@link Block}, format 1)
     * @param signature its signature, P1363 ECDSA P-256 of SHA-256 of the block hash
     * @return the appended block
     * @throws Refused as listed above
     * @throws NetworkRegistry.RegistryUnavailableException when the chain cannot be read
     */
    public Block accept(Caller caller, String pseudonym, byte[] encoding, byte[] signature) throws Refused {
        String institution = caller.clientId(); // a federated caller's client is its institution's account (FederatedCallers)
        Block block;
        try {
            block = Block.decode(encoding, signature);
        } catch (IllegalArgumentException e) {
            throw new Refused("PHR-FEDERATION-0416: not a block: " + e.getMessage());
        }
        if (!block.pseudonym().equals(pseudonym) || !pseudonym.matches("[0-9a-f]{64}")) {
            throw new Refused("PHR-FEDERATION-0416: the block is for another chain");
        }
        Optional<NetworkRegistry.Home> home = registry.home(pseudonym);
        if (home.isPresent() ? !home.get().institution().accountId().equals(ownAccountId) : chains.head(pseudonym).isEmpty()) {
            throw new Refused("PHR-FEDERATION-0417: this deployment is not the home of this patient's chain");
        }
        if (!block.authorKeyId().startsWith(institution + "#")
                || !registry.verifiesBlock(block.authorKeyId(), block.hash(), block.signature())) {
            throw new Refused("PHR-FEDERATION-0415: the block is not signed by the calling institution with a key it published");
        }
        if (!block.practitionerId().equals(caller.subject())) {
            throw new Refused("PHR-FEDERATION-0419: the block must name the calling person as its practitioner");
        }
        String fhirBase = registry.institution(institution, true).map(NetworkRegistry.Institution::fhirBase)
                .orElseThrow(() -> new Refused("PHR-FEDERATION-0415: the calling institution is not admitted")) + "/";
        for (Entry entry : block.entries()) {
            String url = entry.id();
            if (entry.operation() == Operation.DELETE || !url.startsWith(fhirBase + entry.resourceType() + "/")
                    || !ID.matcher(url.substring(fhirBase.length() + entry.resourceType().length() + 1)).matches()) {
                throw new Refused("PHR-FEDERATION-0416: an entry must create or update a record at " + fhirBase + "<type>/<id>");
            }
        }
        List<ConsentRecord> inForce = inForce(caller, pseudonym);
        for (Entry entry : block.entries()) {
            if (inForce.stream().noneMatch(c -> c.terms().resourceTypes().contains(ConsentTerms.ALL_TYPES)
                    || c.terms().resourceTypes().contains(entry.resourceType()))) {
                throw new Refused("PHR-FEDERATION-0418: no consent or emergency access in force opens this record to the caller for "
                        + entry.resourceType());
            }
        }
        try {
            return chains.appendSigned(block);
        } catch (JdbcChainStore.StaleHeadException | JdbcChainStore.ChainMovedException e) {
            throw new Refused(e.getMessage());
        }
    }
}
