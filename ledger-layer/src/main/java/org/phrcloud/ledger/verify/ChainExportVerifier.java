package org.phrcloud.ledger.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import org.phrcloud.ledger.anchor.AnchorLeaf;
import org.phrcloud.ledger.anchor.ChainExport;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.ChainVerifier;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.merkle.InclusionProof;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies an exported chain ({@link ChainExport}) with nothing but the institutions' public keys and a check of
 * the anchors on chain ({@link AnchorEvidence}, e.g. {@link OnChainAnchors}):
 * <ol>
 *   <li>every block decodes, belongs to the export's pseudonym, links to the previous block's hash, has the next
 *       height, and carries a valid ECDSA P-256 signature of its author key ({@link ChainVerifier});</li>
 *   <li>each anchor names a block of the chain and its RFC 9162 inclusion path leads from that head's leaf
 *       ({@link AnchorLeaf}) to the anchor's root;</li>
 *   <li>each anchor is on chain as exported ({@link AnchorEvidence});</li>
 *   <li>optionally, every resource of a FHIR Bundle that the chain records hashes to its latest entry
 *       ({@link ContentHash}); a resource the chain records as deleted must not be in the Bundle. A record another
 *       deployment keeps is matched by the Bundle entry's {@code fullUrl}, its absolute URL there.</li>
 * </ol>
 * Problems are reported one per line, naming heights, anchors and resource ids, never resource content.
 */
public final class ChainExportVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks one anchor against the chain it was sent to. */
    @FunctionalInterface
    public interface AnchorEvidence {
        /** @return the problems found, none when the chain holds the anchor as exported */
        List<String> check(ChainExport.ExportedAnchor anchor);
    }

    /**
     * @param valid             no problem found
     * @param blocks            blocks in the export
     * @param anchors           anchors checked (offline and on chain)
     * @param anchoredHeight    the highest block height covered by a valid anchor, -1 if none
     * @param resourcesChecked  Bundle resources compared with their latest entry (0 without a Bundle)
     * @param problems          one line per problem
     */
    public record Report(boolean valid, String pseudonym, int blocks, int anchors, long anchoredHeight, int resourcesChecked,
                         List<String> problems) {
    }

    private final java.util.function.Function<Block, java.util.Optional<PublicKey>> keys;
    private final AnchorEvidence evidence;

    /**
     * @param keys     the institutions' public keys by key id (e.g. {@link #keys(String)})
     * @param evidence the on-chain check of anchors
     */
    public ChainExportVerifier(Map<String, PublicKey> keys, AnchorEvidence evidence) {
        Map<String, PublicKey> known = Map.copyOf(keys);
        this.keys = block -> java.util.Optional.ofNullable(known.get(block.authorKeyId()));
        this.evidence = evidence;
    }

    /**
     * @param keys     the public key of a block's author, e.g. by its key id and the institution that kept the chain at the
     *                 block's height (a chain that moved its home); empty when unknown
     * @param evidence the on-chain check of anchors
     */
    public ChainExportVerifier(java.util.function.Function<Block, java.util.Optional<PublicKey>> keys, AnchorEvidence evidence) {
        this.keys = keys;
        this.evidence = evidence;
    }

    /**
     * The P-256 keys of a JWK Set (RFC 7517, as {@code GET /api/identity/institutions/keys} publishes them).
     *
     * @throws IllegalArgumentException if the text is not a JWK Set
     */
    public static Map<String, PublicKey> keys(String jwkSetJson) {
        try {
            Map<String, PublicKey> keys = new HashMap<>();
            for (JWK jwk : JWKSet.parse(jwkSetJson).getKeys()) {
                if (jwk instanceof ECKey ec && jwk.getKeyID() != null) {
                    keys.put(jwk.getKeyID(), ec.toECPublicKey());
                }
            }
            return keys;
        } catch (ParseException | JOSEException e) {
            throw new IllegalArgumentException("PHR-LEDGER-0701: not a JWK Set of EC keys", e);
        }
    }

    /** Verifies the export; {@code bundleJson} (a FHIR Bundle of the patient's resources) may be null. */
    public Report verify(ChainExport export, String bundleJson) {
        List<String> problems = new ArrayList<>();
        if (!ChainExport.FORMAT.equals(export.format())) {
            problems.add("unsupported export format " + export.format());
            return new Report(false, export.pseudonym(), 0, 0, -1, 0, problems);
        }
        List<ChainExport.ExportedBlock> blocks = export.blocks() == null ? List.of() : export.blocks();
        List<ChainExport.ExportedAnchor> anchors = export.anchors() == null ? List.of() : export.anchors();
        List<Block> chain = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            try {
                ChainExport.ExportedBlock b = blocks.get(i);
                chain.add(Block.decode(HexFormat.of().parseHex(b.encoding()), Base64.getDecoder().decode(b.signature())));
            } catch (RuntimeException e) {
                problems.add("block " + i + ": does not decode");
            }
        }
        if (problems.isEmpty()) {
            problems.addAll(new ChainVerifier((ChainVerifier.BlockSignatureCheck) (block, hash) -> keys.apply(block)
                    .map(key -> org.phrcloud.ledger.chain.SignatureCheck.verifies(key, hash, block.signature())).orElse(false))
                    .verify(chain).problems());
            if (!chain.isEmpty() && !chain.get(0).pseudonym().equals(export.pseudonym())) {
                problems.add("the chain belongs to another pseudonym than the export names");
            }
        }
        long anchoredHeight = -1;
        for (int i = 0; i < anchors.size(); i++) {
            ChainExport.ExportedAnchor a = anchors.get(i);
            List<String> found = new ArrayList<>();
            if (a == null) {
                problems.add("anchor " + i + ": empty");
                continue;
            }
            if (a.height() < 0 || a.height() >= chain.size()) {
                found.add("names height " + a.height() + ", which the chain does not have");
            } else {
                Block head = chain.get((int) a.height());
                try {
                    InclusionProof path = new InclusionProof(a.leafIndex(), a.treeSize(),
                            a.path().stream().map(HexFormat.of()::parseHex).toList());
                    if (!path.verify(new AnchorLeaf(export.pseudonym(), head.height(), head.hash()).bytes(),
                            HexFormat.of().parseHex(a.root()))) {
                        found.add("the head at height " + a.height() + " is not under its root");
                    }
                } catch (RuntimeException malformed) {
                    found.add("its root, path or tree size is not well formed");
                }
            }
            if (found.isEmpty()) {
                found.addAll(evidence.check(a));
            }
            if (found.isEmpty()) {
                anchoredHeight = Math.max(anchoredHeight, a.height());
            }
            for (String problem : found) {
                problems.add("anchor " + i + " (tx " + a.txHash() + "): " + problem);
            }
        }
        int resourcesChecked = bundleJson == null ? 0 : checkResources(chain, bundleJson, problems);
        return new Report(problems.isEmpty(), export.pseudonym(), chain.size(), anchors.size(), anchoredHeight,
                resourcesChecked, List.copyOf(problems));
    }

    private static int checkResources(List<Block> chain, String bundleJson, List<String> problems) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        chain.forEach(b -> b.entries().forEach(e -> latest.put(e.resourceType() + "/" + e.id(), e)));
        JsonNode bundle;
        try {
            bundle = JSON.readTree(bundleJson);
        } catch (IOException e) {
            problems.add("the Bundle is not JSON");
            return 0;
        }
        if (bundle == null || !"Bundle".equals(bundle.path("resourceType").asText())) {
            problems.add("the Bundle is not a FHIR Bundle");
            return 0;
        }
        int checked = 0;
        for (JsonNode item : bundle.path("entry")) {
            JsonNode resource = item.path("resource");
            String key = resource.path("resourceType").asText() + "/" + resource.path("id").asText();
            Entry entry = latest.get(key);
            if (entry == null && item.path("fullUrl").asText().contains("://")) {
                key = resource.path("resourceType").asText() + "/" + item.path("fullUrl").asText();
                entry = latest.get(key); // a record kept at another deployment, named in the chain by its URL there
            }
            if (entry == null) {
                continue; // outside the patient compartment (e.g. a Practitioner): the chain does not record it
            }
            checked++;
            String version = resource.path("meta").path("versionId").asText(null);
            if (entry.operation() == Operation.DELETE) {
                problems.add(key + ": the chain records it as deleted");
            } else if (version != null && !version.equals(entry.versionId())) {
                problems.add(key + ": version " + version + ", the chain's latest is " + entry.versionId());
            } else if (!MessageDigest.isEqual(ContentHash.of(resource.toString()), entry.contentHash())) {
                problems.add(key + ": content does not match its chain entry");
            }
        }
        return checked;
    }
}
