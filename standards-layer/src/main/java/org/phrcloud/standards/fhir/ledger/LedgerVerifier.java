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

    /**
     * @param network the network's registry, for the keys of blocks other institutions signed ({@code <account id>#<kid>});
     *                null without a chain (such blocks then do not verify)
     */
    public LedgerVerifier(FhirContext fhir, DaoRegistry daos, JdbcChainStore chains, InstitutionKeys keys,
                          org.phrcloud.connector.NetworkRegistry network) {
        this.fhir = fhir;
        this.daos = daos;
        this.chains = chains;
        this.keys = keys;
        this.network = network;
    }

    public Report verify(String pseudonym) {
        List<Block> chain = chains.chain(pseudonym, 0, Integer.MAX_VALUE);
        Map<String, PublicKey> published = publishedKeys();
        ChainVerifier.Result result = new ChainVerifier((keyId, hash, signature) -> keyId.contains("#")
                ? network != null && network.verifiesBlock(keyId, hash, signature)
                : published.containsKey(keyId) && EcdsaP256.verify(published.get(keyId), hash, signature)).verify(chain);
        Map<String, Entry> latest = new LinkedHashMap<>();
        for (Block block : chain) {
            for (Entry e : block.entries()) {
                latest.put(e.resourceType() + "/" + e.id(), e);
            }
        }
        List<String> tampered = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        latest.forEach((reference, entry) -> {
            if (entry.id().contains("://")) {
                elsewhere.add(entry.id());
            } else {
                check(reference, entry).ifPresent(tampered::add);
            }
        });
        return new Report(pseudonym, chain.size(), latest.size(), result.valid() && tampered.isEmpty(), result.problems(), tampered,
                elsewhere);
    }

    private java.util.Optional<String> check(String reference, Entry entry) {
        IBaseResource current;
        try {
            current = daos.getResourceDao(entry.resourceType()).read(new IdType(entry.resourceType(), entry.id()), new SystemRequestDetails());
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
