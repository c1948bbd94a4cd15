package org.streamprox.proxy.proxyprotocol;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;

/** Which PROXY header a route sends its upstream ({@code proxy-protocol: v1} or {@code v2}). */
public enum ProxyProtocolVersion {

    /** The text line: addresses and ports only. */
    V1,
    /** The binary header, with the server name the client asked for (SNI) as its authority, when there was one. */
    V2;

    /**
     * The header for a client.
     *
     * @param client      the client, as StreamProx knows it (a PROXY header it received may have named it)
     * @param destination where the client connected to
     * @param serverName  the name the client asked for in its ClientHello, if it came over TLS
     */
    public byte[] header(InetSocketAddress client, InetSocketAddress destination, Optional<String> serverName) {
        return switch (this) {
            case V1 -> ProxyHeaderWriter.v1(client, destination);
            case V2 -> ProxyHeaderWriter.v2(client, destination, serverName.map(Tlv::authority).stream().toList());
        };
    }

    /**
     * The header for a connection of StreamProx's own, a health check, which has no client to name: v1's
     * {@code UNKNOWN} line or v2's LOCAL command, as HAProxy's {@code check-send-proxy} sends. An upstream that
     * requires the header takes such a connection as coming from its peer.
     */
    public byte[] headerWithoutClient() {
        return switch (this) {
            case V1 -> ProxyHeaderWriter.v1Unknown();
            case V2 -> ProxyHeaderWriter.v2Local();
        };
    }

    /** {@code v1} or {@code v2}, as the configuration writes it. */
    public static ProxyProtocolVersion named(String name) {
        return switch (name) {
            case "v1" -> V1;
            case "v2" -> V2;
            default -> throw new IllegalArgumentException("expected v1 or v2, not '" + name + "'");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
