package org.streamprox.proxy.tls;

import java.util.Optional;

/**
 * How a listener treats TLS.
 *
 * @param certificates  what it terminates TLS with; empty when it terminates none
 * @param passThrough   whether some route passes TLS through, so ClientHellos are read even without certificates
 * @param required      whether plain HTTP is refused ({@code 400}, as nginx answers it) rather than served
 * @param strictSni     whether a ClientHello naming a server no certificate is for is refused
 *                      ({@code unrecognized_name}) rather than served with the default certificate
 * @param maxHelloBytes the most bytes a ClientHello may take, records included
 */
public record TlsSettings(Optional<ServerCertificates> certificates, boolean passThrough, boolean required,
                          boolean strictSni, int maxHelloBytes) {

    public static final int DEFAULT_MAX_HELLO_BYTES = 16 * 1024;

    /** A plain listener: a ClientHello is not read, and the head reader closes what opens with one. */
    public static final TlsSettings NONE = new TlsSettings(Optional.empty(), false, false, false,
            DEFAULT_MAX_HELLO_BYTES);

    public TlsSettings {
        if (required && certificates.isEmpty()) {
            throw new IllegalArgumentException("TLS cannot be required without a certificate to terminate it with");
        }
    }

    /** Whether connections are looked at for a ClientHello before their head. */
    public boolean inspectsHellos() {
        return certificates.isPresent() || passThrough;
    }

    public TlsSettings withPassThrough(boolean newPassThrough) {
        return new TlsSettings(certificates, newPassThrough, required, strictSni, maxHelloBytes);
    }
}
