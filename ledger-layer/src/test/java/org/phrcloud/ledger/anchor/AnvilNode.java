package org.phrcloud.ledger.anchor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Ethereum node for tests: the anvil binary from npm ({@code phr.anvil.bin}), on a free port, mining each
 * transaction at once, chain id {@value DevChain#CHAIN_ID}; its funded accounts are the development accounts of {@link DevChain}.
 */
public final class AnvilNode implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening on ([0-9.]+:[0-9]+)");

    private final Process process;
    private final String url;

    private AnvilNode(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static AnvilNode start() throws Exception {
        return start(0, null);
    }

    /**
     * @param port  0 for a free one
     * @param state a file that keeps the chain across restarts, or null
     */
    public static AnvilNode start(int port, Path state) throws Exception {
        return start(port, state, 0);
    }

    /**
     * @param port             0 for a free one
     * @param state            a file that keeps the chain across restarts, or null
     * @param blockTimeSeconds seconds between blocks, 0 to mine each transaction at once
     */
    public static AnvilNode start(int port, Path state, int blockTimeSeconds) throws Exception {
        Path bin = Path.of(System.getProperty("phr.anvil.bin", "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"));
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("anvil is not installed at " + bin + " (npm install in ledger-layer)");
        }
        List<String> command = new java.util.ArrayList<>(List.of(bin.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--chain-id", String.valueOf(DevChain.CHAIN_ID)));
        if (state != null) {
            command.addAll(List.of("--state", state.toString(), "--state-interval", "1"));
        }
        if (blockTimeSeconds > 0) {
            command.addAll(List.of("--block-time", String.valueOf(blockTimeSeconds)));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> address = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        address.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                address.completeExceptionally(e);
            }
        }, "anvil-output");
        reader.setDaemon(true);
        reader.start();
        return new AnvilNode(p, "http://" + address.get(30, TimeUnit.SECONDS));
    }

    public String url() {
        return url;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
