package org.streamprox.proxy.proxyprotocol;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a PROXY protocol header (HAProxy's, version 1 or 2) says about the connection it starts: on whose behalf the
 * proxy in front opened it, and for v2 what else that proxy chose to tell ({@link Tlv}s).
 *
 * @param version   1 (the text line) or 2 (binary)
 * @param command   whether the addresses stand for a client's
 * @param addresses the two ends of the proxied connection, as the header gives them
 * @param tlvs      v2's fields in the order sent, without the padding ({@link Tlv#NOOP}) and checksum
 *                  ({@link Tlv#CRC32C}) the reader has dealt with; none for v1
 */
public record ProxyHeader(int version, Command command, ProxyAddresses addresses, List<Tlv> tlvs) {

    /** The two things a header can mean. */
    public enum Command {
        /** The proxy connected on its own account, as for a health check: the connection's own addresses stand. */
        LOCAL,
        /** The proxy connected on behalf of a client, whose addresses the header gives. */
        PROXY
    }

    public ProxyHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version " + version + " does not exist");
        }
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(addresses, "addresses");
        tlvs = List.copyOf(tlvs);
    }

    /** The client's address and port the header asserts: only a PROXY header with TCP addresses asserts one. */
    public Optional<InetSocketAddress> clientAddress() {
        return command == Command.PROXY && addresses instanceof ProxyAddresses.Tcp tcp
                ? Optional.of(tcp.source())
                : Optional.empty();
    }

    /** The host name the client asked the proxy for ({@link Tlv#AUTHORITY}), as its TLS server name. */
    public Optional<String> authority() {
        return first(tlvs, Tlv.AUTHORITY).map(tlv -> new String(tlv.value(), StandardCharsets.UTF_8));
    }

    /** The application protocol the client negotiated with the proxy ({@link Tlv#ALPN}). */
    public Optional<String> alpn() {
        return first(tlvs, Tlv.ALPN).map(tlv -> new String(tlv.value(), StandardCharsets.ISO_8859_1));
    }

    /** The proxy's identifier for the connection ({@link Tlv#UNIQUE_ID}): opaque bytes. */
    public Optional<byte[]> uniqueId() {
        return first(tlvs, Tlv.UNIQUE_ID).map(Tlv::value);
    }

    /** The TLS version the client used with the proxy, as {@code TLSv1.3} ({@link Tlv#SSL_VERSION} within SSL). */
    public Optional<String> sslVersion() {
        return first(tlvs, Tlv.SSL)
                .flatMap(Tlv::sslTlvs)
                .flatMap(inner -> first(inner, Tlv.SSL_VERSION))
                .map(tlv -> new String(tlv.value(), StandardCharsets.ISO_8859_1));
    }

    private static Optional<Tlv> first(List<Tlv> tlvs, int type) {
        return tlvs.stream().filter(tlv -> tlv.type() == type).findFirst();
    }

    /**
     * One short line for the access log, e.g. {@code v2 TCP4 127.0.0.7:5123 -> 127.0.0.1:443 authority=example.org
     * alpn=h2 ssl=TLSv1.3}; what the client chose is escaped, so it stays within its field.
     */
    public String describe() {
        StringBuilder line = new StringBuilder("v").append(version).append(' ')
                .append(command == Command.LOCAL ? "LOCAL" : addresses.describe());
        authority().ifPresent(name -> line.append(" authority=").append(Printable.escaped(name)));
        alpn().ifPresent(protocol -> line.append(" alpn=").append(Printable.escaped(protocol)));
        sslVersion().ifPresent(ssl -> line.append(" ssl=").append(Printable.escaped(ssl)));
        return line.toString();
    }
}
