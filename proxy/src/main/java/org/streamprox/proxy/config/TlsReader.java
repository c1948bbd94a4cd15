package org.streamprox.proxy.config;

import static org.streamprox.proxy.config.YamlNode.optional;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.tls.CertificateSource;
import org.streamprox.proxy.tls.ClientHelloReader;
import org.streamprox.proxy.tls.ServerCertificates;
import org.streamprox.proxy.tls.TlsSettings;

/** Reads a listener's {@code tls:}: its certificates and how strictly it takes TLS. */
final class TlsReader {

    private static final Set<String> TLS_KEYS = Set.of("certificates", "self-signed", "required", "strict-sni",
            "max-hello-bytes");
    private static final Set<String> CERTIFICATE_KEYS = Set.of("cert", "key", "pkcs12", "password");

    private TlsReader() {
    }

    /** @param base where relative file names start from */
    static TlsSettings tls(YamlNode node, Path base) throws ConfigException {
        Map<String, YamlNode> tls = node.mapping(TLS_KEYS);
        List<CertificateSource> sources = new ArrayList<>();
        if (tls.containsKey("certificates")) {
            for (YamlNode certificate : tls.get("certificates").sequence()) {
                sources.add(certificate(certificate, base));
            }
        }
        if (tls.containsKey("self-signed")) {
            List<String> names = new ArrayList<>();
            for (YamlNode name : tls.get("self-signed").sequence()) {
                names.add(name.nonEmptyString());
            }
            if (names.isEmpty()) {
                throw tls.get("self-signed").error("needs at least one name, such as localhost");
            }
            sources.add(new CertificateSource.SelfSigned(names));
        }
        if (sources.isEmpty()) {
            throw node.error("needs 'certificates' or 'self-signed'");
        }
        ServerCertificates certificates;
        try {
            certificates = ServerCertificates.load(sources);
        } catch (ConfigException e) {
            throw node.error(e.getMessage());
        }
        return new TlsSettings(Optional.of(certificates), false,
                optional(tls, "required", YamlNode::bool, false),
                optional(tls, "strict-sni", YamlNode::bool, false),
                optional(tls, "max-hello-bytes", n -> n.integer(ClientHelloReader.MIN_BYTES, ClientHelloReader.MAX_BYTES),
                        TlsSettings.DEFAULT_MAX_HELLO_BYTES));
    }

    /** {@code {cert: FILE, key: FILE}} or {@code {pkcs12: FILE, password: SECRET}}. */
    private static CertificateSource certificate(YamlNode node, Path base) throws ConfigException {
        Map<String, YamlNode> certificate = node.mapping(CERTIFICATE_KEYS);
        if (certificate.containsKey("pkcs12")) {
            for (String pemKey : List.of("cert", "key")) {
                if (certificate.containsKey(pemKey)) {
                    throw certificate.get(pemKey).error("give PEM files or a PKCS#12 file, not both");
                }
            }
            return new CertificateSource.Pkcs12(base.resolve(certificate.get("pkcs12").nonEmptyString()),
                    optional(certificate, "password", YamlNode::string, ""));
        }
        if (!certificate.containsKey("cert") || !certificate.containsKey("key")) {
            throw node.error("needs 'cert' and 'key' (PEM files), or 'pkcs12'");
        }
        if (certificate.containsKey("password")) {
            throw certificate.get("password").error("applies to 'pkcs12' only; PEM keys are read unencrypted");
        }
        return new CertificateSource.Pem(base.resolve(certificate.get("cert").nonEmptyString()),
                base.resolve(certificate.get("key").nonEmptyString()));
    }
}
