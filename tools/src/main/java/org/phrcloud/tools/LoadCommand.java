package org.phrcloud.tools;

import org.phrcloud.standards.fhir.load.LoadSummary;
import org.phrcloud.standards.fhir.load.TransactionBundleLoader;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.phrcloud.identity.token.TokenClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line for {@link TransactionBundleLoader}:
 * <pre>
 *   LoadCommand --fhir URL --issuer URL --client-id ID --dir SYNTHEA_FHIR_DIR [--summary FILE]
 * </pre>
 * Authenticates with the client credentials grant; the secret comes from the environment variable
 * {@code PHR_CLIENT_SECRET}. Writes the {@link LoadSummary} as JSON to FILE (and prints it).
 * Exit status 0 on success, 1 when the server refused a Bundle, 2 on bad arguments.
 */
public final class LoadCommand {
    private LoadCommand() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String secret = System.getenv("PHR_CLIENT_SECRET");
        if (!opts.keySet().containsAll(List.of("fhir", "issuer", "client-id", "dir")) || secret == null) {
            System.err.println("usage: PHR_CLIENT_SECRET=... LoadCommand --fhir URL --issuer URL --client-id ID --dir DIR [--summary FILE]");
            System.exit(2);
        }
        FhirContext fhir = FhirContext.forR4();
        fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        fhir.getRestfulClientFactory().setSocketTimeout(15 * 60 * 1000);
        TokenClient tokens = new TokenClient(opts.get("issuer"), opts.get("client-id"), secret);
        TransactionBundleLoader loader = new TransactionBundleLoader(fhir, opts.get("fhir"), () -> {
            IGenericClient client = fhir.newRestfulGenericClient(opts.get("fhir"));
            try {
                client.registerInterceptor(new BearerTokenAuthInterceptor(tokens.clientCredentials()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return client;
        });
        LoadSummary summary;
        try {
            summary = loader.loadSyntheaFolder(Path.of(opts.get("dir")));
        } catch (RuntimeException e) {
            System.err.println("PHR-FHIR-0103: load failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String text = json.writeValueAsString(summary);
        if (opts.containsKey("summary")) {
            json.writeValue(Path.of(opts.get("summary")).toFile(), summary);
        }
        System.out.println(text);
    }
}
