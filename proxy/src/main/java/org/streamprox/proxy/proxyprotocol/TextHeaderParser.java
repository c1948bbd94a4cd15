package org.streamprox.proxy.proxyprotocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.streamprox.proxy.net.IpAddresses;

/**
 * Version 1, one line of text: {@code PROXY TCP4 127.0.0.2 127.0.0.1 56324 443\r\n}, {@code PROXY TCP6 ...}, or
 * {@code PROXY UNKNOWN} with anything printable after it. Each byte is checked as it arrives against what may come
 * there (the protocol word, then the characters its addresses are written with); the fields are read at the CRLF.
 *
 * <p>Exact, as the specification asks: single spaces, a CRLF and no bare CR or LF, IPv4 addresses in four decimal
 * parts without leading zeros, ports from 0 to 65535 without leading zeros, addresses of the family named. IPv6 is
 * read as {@code inet_pton} reads it, which is what HAProxy writes with {@code inet_ntop} ({@code ::ffff:127.0.0.1}
 * for an IPv4 client behind an IPv6 listener).
 */
final class TextHeaderParser implements HeaderParser {

    /** The longest line, {@code PROXY UNKNOWN} followed by two full IPv6 addresses and two ports, with its CRLF. */
    static final int MAX_BYTES = 107;
    static final byte[] SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    private static final int VERSION = 1;
    /** The words after the signature, each with what may end it. */
    private static final List<String> PROTOCOLS = List.of("TCP4 ", "TCP6 ", "UNKNOWN ", "UNKNOWN\r");
    private static final String TCP4 = "TCP4";
    private static final String UNKNOWN = "UNKNOWN";
    /** {@code PROXY}, the protocol, two addresses and two ports. */
    private static final int TCP_FIELDS = 6;

    /** The protocol word once its last byte is in, without what ended it. */
    private String protocol;

    @Override
    public int check(byte[] bytes, int from, int to) throws ProxyHeaderRefusal {
        for (int i = from; i < to; i++) {
            if (ends(bytes, i)) {
                return i + 1;
            }
            if (i + 1 == MAX_BYTES) {
                throw new ProxyHeaderRefusal("PROXY v1 header too long: no CRLF in its first " + MAX_BYTES + " bytes");
            }
        }
        return -1;
    }

    /** Checks the byte at {@code i}; true when it ends the line. */
    private boolean ends(byte[] bytes, int i) throws ProxyHeaderRefusal {
        int b = bytes[i] & 0xff;
        if (i < SIGNATURE.length) {
            if (b != SIGNATURE[i]) {
                throw ProxyHeaderRefusal.notAHeader(bytes, i + 1);
            }
            return false;
        }
        if (bytes[i - 1] == '\r') {
            if (b != '\n') {
                throw malformed("a CR not followed by LF");
            }
            return true;
        }
        if (protocol == null) {
            checkProtocol(bytes, i);
            return false;
        }
        if (b == '\n') {
            throw malformed("an LF without a CR before it");
        }
        if (b != '\r' && !mayBeWritten(b)) {
            throw malformed("byte " + Printable.escaped(bytes, i, i + 1) + " in a " + protocol + " line");
        }
        return false;
    }

    /** Byte by byte, without making a string of each prefix: this runs for every byte of every header's word. */
    private void checkProtocol(byte[] bytes, int i) throws ProxyHeaderRefusal {
        int length = i + 1 - SIGNATURE.length;
        String matched = null;
        boolean possible = false;
        for (String known : PROTOCOLS) {
            if (startsWith(known, bytes, SIGNATURE.length, length)) {
                possible = true;
                if (known.length() == length) {
                    matched = known;
                }
            }
        }
        if (!possible) {
            throw malformed("protocol \"" + Printable.escaped(bytes, SIGNATURE.length, i + 1)
                    + "\", not TCP4, TCP6 or UNKNOWN");
        }
        if (matched != null) {
            protocol = matched.substring(0, matched.length() - 1);
        }
    }

    /** Whether {@code known} starts with the {@code length} bytes at {@code from}. */
    private static boolean startsWith(String known, byte[] bytes, int from, int length) {
        if (length > known.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (known.charAt(k) != bytes[from + k]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the byte can be part of the line after the protocol word: what its addresses are written with. */
    private boolean mayBeWritten(int b) {
        boolean digit = b >= '0' && b <= '9';
        return switch (protocol) {
            case TCP4 -> digit || b == '.' || b == ' ';
            case UNKNOWN -> b >= ' ' && b < 0x7f;
            // TCP6: hex groups, and a dotted IPv4 tail.
            default -> digit || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' || b == ':' || b == '.' || b == ' ';
        };
    }

    @Override
    public ProxyHeader parse(byte[] bytes, int length) throws ProxyHeaderRefusal {
        if (protocol.equals(UNKNOWN)) {
            // The specification has the receiver ignore the rest of an UNKNOWN line.
            return new ProxyHeader(VERSION, ProxyHeader.Command.PROXY, new ProxyAddresses.Unspecified(), List.of());
        }
        String[] fields = new String(bytes, 0, length - 2, StandardCharsets.US_ASCII).split(" ", -1);
        if (fields.length != TCP_FIELDS) {
            throw malformed(fields.length + " fields separated by single spaces where a " + protocol + " line has "
                    + TCP_FIELDS);
        }
        Function<String, Optional<InetAddress>> family = protocol.equals(TCP4)
                ? IpAddresses::parseIpv4
                : IpAddresses::parseIpv6;
        InetAddress source = address(family, fields[2], "source");
        InetAddress destination = address(family, fields[3], "destination");
        return new ProxyHeader(VERSION, ProxyHeader.Command.PROXY, new ProxyAddresses.Tcp(
                new InetSocketAddress(source, port(fields[4], "source")),
                new InetSocketAddress(destination, port(fields[5], "destination"))), List.of());
    }

    private InetAddress address(Function<String, Optional<InetAddress>> family, String text, String end)
            throws ProxyHeaderRefusal {
        Optional<InetAddress> address = family.apply(text);
        if (address.isEmpty()) {
            throw malformed(end + " address \"" + text + "\" is not " + (protocol.equals(TCP4) ? "IPv4" : "IPv6")
                    + " written as the specification asks");
        }
        return address.get();
    }

    private static int port(String text, String end) throws ProxyHeaderRefusal {
        // Digits only and no leading zero: Integer.parseInt would take "+80" and "080".
        boolean digits = !text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')
                && (text.length() == 1 || text.charAt(0) != '0');
        if (!digits || Integer.parseInt(text) > 0xffff) {
            throw malformed(end + " port \"" + text + "\" is not a number from 0 to 65535 without leading zeros");
        }
        return Integer.parseInt(text);
    }

    private static ProxyHeaderRefusal malformed(String what) {
        return ProxyHeaderRefusal.malformed(VERSION, what);
    }
}
