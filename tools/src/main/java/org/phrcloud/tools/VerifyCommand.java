package org.phrcloud.tools;

import org.phrcloud.ledger.verify.ChainExportVerifier;
import org.phrcloud.ledger.verify.OnChainAnchors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.ledger.anchor.ChainExport;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The standalone verifier's command line:
 * <pre>
 *   VerifyCommand --export CHAIN.json --keys JWKS.json --rpc URL [--bundle BUNDLE.json] [--registry ADDRESS]
 * </pre>
 * CHAIN.json is {@code GET /api/ledger/patients/{pseudonym}/export}, JWKS.json is
 * {@code GET /api/identity/institutions/keys} of the chain's home, URL a JSON-RPC node of the chain, BUNDLE.json
 * optionally a FHIR Bundle of the patient's resources (a record kept at another deployment is matched by its
 * {@code fullUrl}). Blocks that other institutions of the network signed (author key id
 * {@code <CAIP-10 account id>#<kid>}, ARCHITECTURE.md "Federation") are checked with the JWK Set that institution
 * published on chain, read from the AnchorRegistry at ADDRESS (default: the contract of the export's first anchor). Prints the {@link ChainExportVerifier.Report} as JSON. Exit status: 0 valid,
 * 1 problems found, 2 wrong usage or unreadable input.
 */
public final class VerifyCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String USAGE = "usage: VerifyCommand --export CHAIN.json --keys JWKS.json --rpc URL [--bundle BUNDLE.json] "
            + "[--registry ADDRESS]";

    private VerifyCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The published keys of the other institutions whose blocks the chain holds ({@code <account id>#<kid>}), read from
     * the AnchorRegistry on chain; a key not found is left out (its blocks then fail verification).
     */
    static java.util.Map<String, java.security.PublicKey> networkKeys(Web3j web3j, ChainExport chain, String registry) throws Exception {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        for (ChainExport.ExportedBlock b : chain.blocks()) {
            try {
                String author = org.phrcloud.ledger.chain.Block.decode(java.util.HexFormat.of().parseHex(b.encoding()),
                        java.util.Base64.getDecoder().decode(b.signature())).authorKeyId();
                if (author.contains("#")) {
                    ids.add(author);
                }
            } catch (IllegalArgumentException e) {
                // a block that does not decode: the verifier reports it
            }
        }
        String contract = registry != null ? registry : chain.anchors().isEmpty() ? null : chain.anchors().get(0).contract();
        if (ids.isEmpty() || contract == null) {
            return java.util.Map.of();
        }
        org.phrcloud.connector.NetworkRegistry network = new org.phrcloud.connector.NetworkRegistry(web3j,
                web3j.ethChainId().send().getChainId().longValueExact(), contract, java.time.Clock.systemUTC());
        java.util.Map<String, java.security.PublicKey> found = new java.util.HashMap<>();
        for (String id : ids) {
            network.blockKey(id).ifPresent(key -> found.put(id, key));
        }
        return found;
    }

    /** Runs the command; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path export = null;
        Path keys = null;
        Path bundle = null;
        String rpc = null;
        String registry = null;
        if (args.length % 2 != 0) {
            err.println(USAGE);
            return 2;
        }
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--export" -> export = Path.of(args[i + 1]);
                case "--keys" -> keys = Path.of(args[i + 1]);
                case "--bundle" -> bundle = Path.of(args[i + 1]);
                case "--rpc" -> rpc = args[i + 1];
                case "--registry" -> registry = args[i + 1];
                default -> {
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        if (export == null || keys == null || rpc == null) {
            err.println(USAGE);
            return 2;
        }
        ChainExportVerifier.Report report;
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            ChainExport chain = JSON.readValue(export.toFile(), ChainExport.class);
            java.util.Map<String, java.security.PublicKey> known = new java.util.HashMap<>(ChainExportVerifier.keys(Files.readString(keys)));
            known.putAll(networkKeys(web3j, chain, registry));
            ChainExportVerifier verifier = new ChainExportVerifier(known, new OnChainAnchors(web3j));
            report = verifier.verify(chain, bundle == null ? null : Files.readString(bundle));
        } catch (Exception e) {
            err.println("cannot verify: " + e.getMessage());
            return 2;
        } finally {
            web3j.shutdown();
        }
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } catch (Exception e) {
            err.println("cannot print the report: " + e.getMessage());
            return 2;
        }
        return report.valid() ? 0 : 1;
    }
}
