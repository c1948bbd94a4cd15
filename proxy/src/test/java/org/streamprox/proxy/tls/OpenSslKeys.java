package org.streamprox.proxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamprox.testkit.Command;

/** Keys and certificates made with the openssl command line, the way an operator makes them, in a test directory. */
final class OpenSslKeys {

    private final Path dir;

    OpenSslKeys(Path dir) {
        this.dir = dir;
    }

    /** A P-256 key in PKCS#8: {@code BEGIN PRIVATE KEY}. */
    Path ecPkcs8Key(String file) throws IOException, InterruptedException {
        Path key = dir.resolve(file);
        Command.succeed("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", key.toString());
        return key;
    }

    /** A P-256 key in SEC1, {@code BEGIN EC PRIVATE KEY}, after the {@code EC PARAMETERS} block openssl adds. */
    Path ecSec1Key(String file) throws IOException, InterruptedException {
        Path key = dir.resolve(file);
        Command.succeed("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        return key;
    }

    /** A 2048-bit RSA key in PKCS#1: {@code BEGIN RSA PRIVATE KEY}. */
    Path rsaPkcs1Key(String file) throws IOException, InterruptedException {
        Path key = dir.resolve(file);
        Command.succeed("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
        return key;
    }

    /**
     * A self-signed certificate for the key, valid for 30 days.
     *
     * @param subject          as openssl writes it: {@code /CN=a.test}
     * @param alternativeNames as openssl writes them, {@code DNS:a.test,IP:127.0.0.1}, or null for none
     */
    Path certificate(Path key, String file, String subject, String alternativeNames)
            throws IOException, InterruptedException {
        Path certificate = dir.resolve(file);
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-new", "-key", key.toString(),
                "-subj", subject, "-days", "30", "-out", certificate.toString()));
        if (alternativeNames != null) {
            command.addAll(List.of("-addext", "subjectAltName=" + alternativeNames));
        }
        Command.succeed(command);
        return certificate;
    }

    /**
     * A self-signed certificate for the key and a DNS name that was valid for one day in 2020. {@code openssl req}
     * takes no past dates, {@code openssl ca} does, with a minimal CA directory of its own.
     */
    Path expiredCertificate(Path key, String file, String name) throws IOException, InterruptedException {
        Path ca = Files.createDirectories(dir.resolve(file + ".ca"));
        Path request = ca.resolve("request.pem");
        Command.succeed("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=" + name,
                "-addext", "subjectAltName=DNS:" + name, "-out", request.toString());
        Files.writeString(ca.resolve("index.txt"), "");
        Files.writeString(ca.resolve("serial"), "01\n");
        Path config = Files.writeString(ca.resolve("ca.cnf"), String.join("\n",
                "[ca]", "default_ca = expired",
                "[expired]", "database = " + ca.resolve("index.txt"), "new_certs_dir = " + ca,
                "serial = " + ca.resolve("serial"), "default_md = sha256", "policy = any", "copy_extensions = copy",
                "[any]", "commonName = supplied", ""));
        Path certificate = dir.resolve(file);
        Command.succeed("openssl", "ca", "-batch", "-config", config.toString(), "-selfsign", "-keyfile",
                key.toString(), "-in", request.toString(), "-startdate", "20200101000000Z", "-enddate",
                "20200102000000Z", "-notext", "-out", certificate.toString());
        return certificate;
    }

    /** The key encrypted with a password, as {@code BEGIN ENCRYPTED PRIVATE KEY}. */
    Path encrypted(Path key, String file) throws IOException, InterruptedException {
        Path encrypted = dir.resolve(file);
        Command.succeed("openssl", "pkey", "-in", key.toString(), "-aes256", "-passout", "pass:secret",
                "-out", encrypted.toString());
        return encrypted;
    }

    Path pkcs12(Path certificate, Path key, String password, String file) throws IOException, InterruptedException {
        Path pkcs12 = dir.resolve(file);
        Command.succeed("openssl", "pkcs12", "-export", "-in", certificate.toString(), "-inkey", key.toString(),
                "-passout", "pass:" + password, "-out", pkcs12.toString());
        return pkcs12;
    }
}
