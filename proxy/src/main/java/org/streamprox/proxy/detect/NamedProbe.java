package org.streamprox.proxy.detect;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A protocol and the probe that recognises it: one entry of a {@link Detector}'s ordered list.
 *
 * @param protocol what a match is reported as
 * @param probe    what decides it
 */
public record NamedProbe(Protocol protocol, Probe probe) {

    private static final List<NamedProbe> BUILT_IN = List.of(
            new NamedProbe(Protocol.HTTP, HttpRequestLineProbe.INSTANCE),
            new NamedProbe(Protocol.TLS, TlsRecordProbe.INSTANCE),
            new NamedProbe(Protocol.SSH, PrefixProbe.SSH),
            new NamedProbe(Protocol.H2C, PrefixProbe.H2C));

    public NamedProbe {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(probe, "probe");
    }

    /** The probe of a built-in protocol, {@code http}, {@code tls}, {@code ssh} or {@code h2c}; else empty. */
    public static Optional<NamedProbe> builtIn(String name) {
        return BUILT_IN.stream().filter(builtIn -> builtIn.protocol().name().equals(name)).findFirst();
    }

    /**
     * A user's protocol, matched by {@code pattern} at the start of the first bytes read as ISO-8859-1 text, one
     * character per byte; see {@link RegexProbe} for when it asks for more bytes. It gets no more than the
     * detector's byte limit.
     *
     * @throws IllegalArgumentException when {@code name} is a built-in protocol's, or not a {@link Protocol} name
     */
    public static NamedProbe regex(String name, Pattern pattern) {
        if (builtIn(name).isPresent()) {
            throw new IllegalArgumentException("'" + name + "' is a built-in protocol; a regex protocol needs a name"
                    + " of its own");
        }
        return new NamedProbe(new Protocol(name), new RegexProbe(pattern));
    }
}
