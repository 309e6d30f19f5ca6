package org.phrcloud.standards.fhir.ledger;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.phrcloud.identity.institution.InstitutionKey;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.ChainVerifier;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a patient's record against their chain (ARCHITECTURE.md "Read path": a record whose stored hash no
 * longer matches its chain entry is reported as tampered; threat model: a malicious database administrator):
 * <ol>
 *   <li>the chain itself ({@link ChainVerifier}: heights, links, format, signatures by published institution keys);</li>
 *   <li>every resource the chain records, as stored now: its current version must be the last one the chain
 *       records, and its {@link ContentHash} must equal that entry's. A deleted resource must be deleted.</li>
 * </ol>
 * Anchors on chain are checked once anchoring exists. Reports name resources by type and id only (no health data).
 */
public final class LedgerVerifier {
    /**
     * @param pseudonym          whose chain
     * @param blocks             how many blocks were checked
     * @param resources          how many resources the chain records
     * @param valid              true when nothing was found
     * @param chainProblems      problems of the chain, by block height
     * @param tamperedResources  {@code Type/id: what is wrong}, one per resource that does not match its chain
     * @param keptElsewhere      the absolute URLs of the records the chain names that other deployments keep (their
     *                           blocks' signatures are checked here; the records themselves where they are kept)
     */
    public record Report(String pseudonym, int blocks, int resources, boolean valid, List<String> chainProblems,
                         List<String> tamperedResources, List<String> keptElsewhere) {
        /**
         * This report with the problems found fetching the records kept elsewhere (changed or missing where they are
         * kept), as tampered resources.
         */
        public Report withProblemsKeptElsewhere(List<String> problems) {
            List<String> tampered = new ArrayList<>(tamperedResources);
            tampered.addAll(problems);
            return new Report(pseudonym, blocks, resources, valid && problems.isEmpty(), chainProblems, List.copyOf(tampered), keptElsewhere);
        }
    }

    private final FhirContext fhir;
    private final DaoRegistry daos;
    private final JdbcChainStore chains;
    private final InstitutionKeys keys;
    private final org.phrcloud.connector.NetworkRegistry network;
    private final String ownAccountId;

    /**
     * @param network      the network's registry, for the keys of blocks other institutions signed ({@code <account id>#<kid>},
     *                     or a former home's {@code <kid>}) and where records kept elsewhere are; null without a chain (such
     *                     blocks then do not verify)
     * @param ownAccountId this deployment's institution account (CAIP-10); null without a chain
     */
    public LedgerVerifier(FhirContext fhir, DaoRegistry daos, JdbcChainStore chains, InstitutionKeys keys,
                          org.phrcloud.connector.NetworkRegistry network, String ownAccountId) {
        this.fhir = fhir;
        this.daos = daos;
        this.chains = chains;
        this.keys = keys;
        this.network = network;
        this.ownAccountId = ownAccountId;
    }

    /**
     * A record a patient's chain names, with its latest entry: kept here ({@code reference} is {@code <type>/<id>}) or at
     * another deployment ({@code reference} is its absolute URL there: a record another institution appended by URL, or
     * one a former home of a chain that moved here recorded by its own id, under that home's FHIR endpoint).
     */
    public record NamedRecord(String reference, boolean here, JdbcChainStore.RecordedEntry latest) {
    }

    public Report verify(String pseudonym) {
        List<Block> chain = chains.chain(pseudonym, 0, Integer.MAX_VALUE);
        List<JdbcChainStore.FormerHome> formerHomes = chains.formerHomes(pseudonym);
        Map<String, PublicKey> published = publishedKeys();
        ChainVerifier.Result result = new ChainVerifier((ChainVerifier.BlockSignatureCheck) (block, hash) -> {
            String keyId = authorKeyId(block, formerHomes);
            return keyId.contains("#")
                    ? network != null && network.verifiesBlock(keyId, hash, block.signature())
                    : published.containsKey(keyId) && EcdsaP256.verify(published.get(keyId), hash, block.signature());
        }).verify(chain);
        Map<String, NamedRecord> named = records(pseudonym, chain, formerHomes);
        List<String> tampered = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        named.values().forEach(record -> {
            if (!record.here()) {
                elsewhere.add(record.reference());
            } else {
                check(record.reference(), record.latest().entry()).ifPresent(tampered::add);
            }
        });
        return new Report(pseudonym, chain.size(), named.size(), result.valid() && tampered.isEmpty(), result.problems(), tampered,
                elsewhere);
    }

    /**
     * The key id a block's signature is checked with: its own, or, for a block a former home of the chain signed with an
     * unqualified key id, {@code <that home's account id>#<kid>} (ARCHITECTURE.md "Federation", moving a patient's home).
     */
    public static String authorKeyId(Block block, List<JdbcChainStore.FormerHome> formerHomes) {
        String keyId = block.authorKeyId();
        return keyId.contains("#") ? keyId : JdbcChainStore.FormerHome.of(formerHomes, block.height())
                .map(home -> org.phrcloud.connector.NetworkRegistry.authorKeyId(home, keyId)).orElse(keyId);
    }

    /** Every record the patient's chain names, with its latest entry, in chain order (see {@link NamedRecord}). */
    public Map<String, NamedRecord> records(String pseudonym) {
        return records(pseudonym, chains.chain(pseudonym, 0, Integer.MAX_VALUE), chains.formerHomes(pseudonym));
    }

    private Map<String, NamedRecord> records(String pseudonym, List<Block> chain, List<JdbcChainStore.FormerHome> formerHomes) {
        String ownBase = fhirBase(ownAccountId);
        Map<String, NamedRecord> named = new LinkedHashMap<>();
        for (Block block : chain) {
            java.util.Optional<String> formerHome = JdbcChainStore.FormerHome.of(formerHomes, block.height());
            for (Entry e : block.entries()) {
                String local = e.resourceType() + "/" + e.id();
                String typed = ownBase == null ? null : ownBase + "/" + e.resourceType() + "/";
                String reference;
                boolean here;
                if (e.id().contains("://")) {
                    here = typed != null && e.id().startsWith(typed);
                    reference = here ? e.resourceType() + "/" + e.id().substring(typed.length()) : e.id();
                } else if (formerHome.isPresent()) {
                    String base = fhirBase(formerHome.get());
                    here = false;
                    reference = (base == null ? formerHome.get() : base) + "/" + local;
                } else {
                    here = true;
                    reference = local;
                }
                named.put(reference, new NamedRecord(reference, here, new JdbcChainStore.RecordedEntry(pseudonym, block.height(), e)));
            }
        }
        return named;
    }

    /** An institution's FHIR endpoint as the registry lists it; null without a chain or for an unknown account. */
    private String fhirBase(String accountId) {
        if (network == null || accountId == null) {
            return null;
        }
        return network.institution(accountId, false).map(org.phrcloud.connector.NetworkRegistry.Institution::fhirBase).orElse(null);
    }

    private java.util.Optional<String> check(String reference, Entry entry) {
        IBaseResource current;
        try {
            current = daos.getResourceDao(entry.resourceType()).read(new IdType(reference), new SystemRequestDetails()); // Type/id here
        } catch (ResourceGoneException e) {
            return entry.operation() == Operation.DELETE ? java.util.Optional.empty()
                    : java.util.Optional.of(reference + ": deleted, but the chain does not record the deletion");
        } catch (ResourceNotFoundException e) {
            return java.util.Optional.of(reference + ": missing from the database");
        }
        if (entry.operation() == Operation.DELETE) {
            return java.util.Optional.of(reference + ": the chain records a deletion, but the resource is there");
        }
        String version = current.getIdElement().getVersionIdPart();
        if (!entry.versionId().equals(version)) {
            return java.util.Optional.of(reference + ": version " + version + " is stored, the chain's latest is " + entry.versionId());
        }
        byte[] hash = ContentHash.of(fhir.newJsonParser().encodeResourceToString(current));
        return java.util.Arrays.equals(hash, entry.contentHash()) ? java.util.Optional.empty()
                : java.util.Optional.of(reference + ": content does not match its chain entry");
    }

    /** Every published institution key by key id, read once per verification. */
    private Map<String, PublicKey> publishedKeys() {
        Map<String, PublicKey> published = new HashMap<>();
        for (InstitutionKey key : keys.published()) {
            try {
                published.put(key.keyId(), EcdsaP256.publicKey(key.publicKey()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PHR-LEDGER-0404: published key " + key.keyId() + " does not load", e);
            }
        }
        return published;
    }
}
