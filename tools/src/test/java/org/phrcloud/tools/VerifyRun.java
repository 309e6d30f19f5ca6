package org.phrcloud.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the standalone verifier's command line in a test: its exit status and its report (null when it printed none).
 */
record VerifyRun(int status, JsonNode report) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Writes the export (and the Bundle, if any) to files in {@code dir} and runs {@link VerifyCommand} on them.
     *
     * @param chainExport anything that serializes to a chain export (a {@code ChainExport} or a changed JSON tree)
     */
    static VerifyRun of(Path dir, Object chainExport, String bundle, Path keys, String rpc) throws Exception {
        Path file = Files.createTempFile(dir, "export", ".json");
        JSON.writeValue(file.toFile(), chainExport);
        List<String> args = new ArrayList<>(List.of("--export", file.toString(), "--keys", keys.toString(), "--rpc", rpc));
        if (bundle != null) {
            Path b = Files.createTempFile(dir, "bundle", ".json");
            Files.writeString(b, bundle);
            args.addAll(List.of("--bundle", b.toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = VerifyCommand.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        return new VerifyRun(status, text.isBlank() ? null : JSON.readTree(text));
    }
}
