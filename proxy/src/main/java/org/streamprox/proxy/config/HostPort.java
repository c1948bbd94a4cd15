package org.streamprox.proxy.config;

/** A {@code host:port} pair as written in the configuration: {@code example.org:80}, {@code [::1]:8080}. */
public record HostPort(String host, int port) {

    /** @throws IllegalArgumentException with a message fit for the user when the text is not host:port */
    public static HostPort parse(String text) {
        String value = text.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, not '" + text + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 address must be in brackets, as in [::1]:8080, not '"
                    + text + "'");
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c > '~' || c == '/')) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or address");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port in '" + text + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        return new HostPort(host, port);
    }
}
