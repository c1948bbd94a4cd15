package org.streamprox.proxy.detect;

import java.util.regex.Pattern;

/**
 * A protocol's name, as configurations and the access log spell it: one of the built-in {@link #HTTP}, {@link #TLS},
 * {@link #SSH} and {@link #H2C}, or a name a user gave a regular expression ({@link NamedProbe#regex}).
 *
 * @param name lower-case letters, digits, '.', '_' and '-', starting with a letter or digit
 */
public record Protocol(String name) {

    /**
     * Printable in a log field and a configuration key without quoting; lower case only, so that no user's name
     * differs from a built-in one by case alone. Declared before the constants, whose construction checks it.
     */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    /** HTTP/1.x: a request line. */
    public static final Protocol HTTP = new Protocol("http");
    /** TLS: a handshake record, whatever it carries. */
    public static final Protocol TLS = new Protocol("tls");
    /** SSH: a client's identification string. */
    public static final Protocol SSH = new Protocol("ssh");
    /** HTTP/2 over cleartext with prior knowledge: the connection preface. */
    public static final Protocol H2C = new Protocol("h2c");

    public Protocol {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a protocol name is lower-case letters, digits, '.', '_' and '-',"
                    + " starting with a letter or digit, not '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
