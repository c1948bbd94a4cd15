package org.streamprox.proxy.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IP address literals read and written without ever asking DNS: {@link InetAddress#getByName} resolves whatever is
 * not a literal, and the JDK's literal-only parse arrives after the release this is built for.
 *
 * <p>Reading is strict where the JDK is loose: an IPv4 part with a leading zero ({@code 010}, octal to some readers)
 * or fewer than four parts is not an address, nor is an IPv6 literal in brackets or with a zone ({@code %eth0}).
 * IPv6 is read as {@code inet_pton} reads it (what HAProxy and nginx use), a dotted IPv4 tail included.
 */
public final class IpAddresses {

    private static final int IPV6_GROUPS = 8;

    private IpAddresses() {
    }

    /** A dotted-quad IPv4 address or an IPv6 address, as {@link #parseIpv4} or {@link #parseIpv6} read them. */
    public static Optional<InetAddress> parse(String text) {
        return text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
    }

    /** Four decimal parts from 0 to 255, without leading zeros: {@code 127.0.0.1}. */
    public static Optional<InetAddress> parseIpv4(String text) {
        byte[] bytes = ipv4Bytes(text);
        return bytes == null ? Optional.empty() : Optional.of(fromBytes(bytes));
    }

    /**
     * Eight groups of 1 to 4 hex digits, one run of them shortened to {@code ::} at most, the last two of which may be
     * written as an IPv4 address: {@code ::1}, {@code fe80::7}, {@code ::ffff:127.0.0.1}. An IPv4-mapped address
     * comes back as the {@link java.net.Inet4Address} it maps, as the JDK's own sockets report it.
     */
    public static Optional<InetAddress> parseIpv6(String text) {
        int shortened = text.indexOf("::");
        if (shortened >= 0 && text.indexOf("::", shortened + 1) >= 0) {
            return Optional.empty();
        }
        int[] head = groups(shortened < 0 ? text : text.substring(0, shortened), shortened < 0);
        int[] tail = groups(shortened < 0 ? "" : text.substring(shortened + 2), true);
        if (head == null || tail == null
                || (shortened < 0 ? head.length != IPV6_GROUPS : head.length + tail.length >= IPV6_GROUPS)) {
            return Optional.empty();
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < head.length; i++) {
            putGroup(bytes, i, head[i]);
        }
        for (int i = 0; i < tail.length; i++) {
            putGroup(bytes, IPV6_GROUPS - tail.length + i, tail[i]);
        }
        return Optional.of(fromBytes(bytes));
    }

    /** The address of 4 or 16 bytes in network order; an IPv4-mapped IPv6 one as its IPv4 address. */
    public static InetAddress fromBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    /**
     * The address as an operator writes it: {@code 127.0.0.1}, or IPv6 in RFC 5952's short form ({@code ::1},
     * {@code fe80::1:0:0:1}: lower case, no leading zeros, the first longest run of two or more zero groups as
     * {@code ::}). Without a zone: the PROXY protocol and address blocks have none.
     */
    public static String text(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[IPV6_GROUPS];
        for (int i = 0; i < IPV6_GROUPS; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int runStart = -1;
        int runLength = 1;
        for (int start = 0; start < IPV6_GROUPS; start++) {
            int length = 0;
            while (start + length < IPV6_GROUPS && groups[start + length] == 0) {
                length++;
            }
            if (length > runLength) {
                runStart = start;
                runLength = length;
            }
        }
        if (runStart < 0) {
            return hex(groups, 0, IPV6_GROUPS);
        }
        return hex(groups, 0, runStart) + "::" + hex(groups, runStart + runLength, IPV6_GROUPS);
    }

    private static String hex(int[] groups, int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(i > from ? ":" : "").append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** The 4 bytes of a strict dotted quad, or null. */
    private static byte[] ipv4Bytes(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = decimal(parts[i]);
            if (value < 0 || value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /** 1 to 3 digits without a leading zero, or -1. */
    private static int decimal(String part) {
        if (part.isEmpty() || part.length() > 3 || part.length() > 1 && part.charAt(0) == '0') {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
    }

    /**
     * The 16-bit groups of one side of {@code ::} (none when it is empty), or null when malformed; an IPv4 address
     * may end the side that ends the literal, and counts as two groups.
     */
    private static int[] groups(String side, boolean endsTheLiteral) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        int last = parts.length - 1;
        boolean ipv4Tail = endsTheLiteral && parts[last].indexOf('.') >= 0;
        byte[] ipv4 = ipv4Tail ? ipv4Bytes(parts[last]) : null;
        if (ipv4Tail && ipv4 == null || parts.length > IPV6_GROUPS) {
            return null;
        }
        int hexParts = ipv4Tail ? last : parts.length;
        int[] groups = new int[ipv4Tail ? hexParts + 2 : hexParts];
        for (int i = 0; i < hexParts; i++) {
            groups[i] = hexGroup(parts[i]);
            if (groups[i] < 0) {
                return null;
            }
        }
        if (ipv4Tail) {
            groups[hexParts] = (ipv4[0] & 0xff) << 8 | ipv4[1] & 0xff;
            groups[hexParts + 1] = (ipv4[2] & 0xff) << 8 | ipv4[3] & 0xff;
        }
        return groups;
    }

    /** 1 to 4 hex digits, or -1. */
    private static int hexGroup(String part) {
        if (part.isEmpty() || part.length() > 4) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < part.length(); i++) {
            // Not Character.digit: it takes the digits of every script.
            char c = part.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static void putGroup(byte[] bytes, int index, int group) {
        bytes[2 * index] = (byte) (group >> 8);
        bytes[2 * index + 1] = (byte) group;
    }
}
