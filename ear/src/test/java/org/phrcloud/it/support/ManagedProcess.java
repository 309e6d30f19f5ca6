package org.phrcloud.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process started by a fixture, with its output in a log file; stopped with its descendants. */
final class ManagedProcess implements AutoCloseable {
    private final String name;
    private final Process process;

    private ManagedProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new ManagedProcess(name, pb.start());
    }

    /** Runs a command to its end; fails with the log's path when it exits non-zero. */
    static void run(String name, List<String> command, Map<String, String> env, Path log) throws IOException, InterruptedException {
        ManagedProcess p = start(name, command, env, log);
        if (!p.process.waitFor(10, TimeUnit.MINUTES) || p.process.exitValue() != 0) {
            p.close();
            throw new IllegalStateException(name + " failed; see " + log);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
