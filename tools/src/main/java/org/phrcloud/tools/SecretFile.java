package org.phrcloud.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets (keys, client secrets, demo passwords): readable and writable by their owner only. */
public final class SecretFile {
    private SecretFile() {
    }

    /**
     * Writes {@code text} and a newline to {@code file} (its folder made if missing), created with mode 600 so that no
     * other user can read it even for a moment; a file that already holds exactly this text is left as it is.
     */
    public static void write(Path file, String text) throws IOException {
        if (Files.exists(file) && Files.readString(file).equals(text + "\n")) {
            return;
        }
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text + "\n");
    }
}
