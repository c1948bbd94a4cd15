package org.streamprox.proxy.tls;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.streamprox.proxy.config.ConfigException;

/** Reads the files a TLS configuration names, with a one-line error naming the file when it cannot. */
final class TlsFiles {

    private TlsFiles() {
    }

    static byte[] read(Path file) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
    }
}
