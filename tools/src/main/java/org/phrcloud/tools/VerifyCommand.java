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
 *   VerifyCommand --export CHAIN.json --keys JWKS.json --rpc URL [--bundle BUNDLE.json]
 * </pre>
 * CHAIN.json is {@code GET /api/ledger/patients/{pseudonym}/export}, JWKS.json is
 * {@code GET /api/identity/institutions/keys}, URL a JSON-RPC node of the chain, BUNDLE.json optionally a FHIR Bundle
 * of the patient's resources. Prints the {@link ChainExportVerifier.Report} as JSON. Exit status: 0 valid,
 * 1 problems found, 2 wrong usage or unreadable input.
 */
public final class VerifyCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String USAGE = "usage: VerifyCommand --export CHAIN.json --keys JWKS.json --rpc URL [--bundle BUNDLE.json]";

    private VerifyCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path export = null;
        Path keys = null;
        Path bundle = null;
        String rpc = null;
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
            ChainExportVerifier verifier = new ChainExportVerifier(ChainExportVerifier.keys(Files.readString(keys)),
                    new OnChainAnchors(web3j));
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
