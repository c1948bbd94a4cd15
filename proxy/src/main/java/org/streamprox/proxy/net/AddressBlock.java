package org.streamprox.proxy.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;

/**
 * A CIDR block of IP addresses: {@code 127.0.0.0/8}, {@code ::1/128}, or a bare address for itself alone.
 *
 * <p>Bits set after the prefix ({@code 127.0.0.1/8}) are accepted and cleared, as HAProxy does silently and nginx
 * does with a warning: the block is {@code 127.0.0.0/8}, and {@link #toString()} says so. An IPv4 address is in an
 * IPv4 block, written as such or IPv4-mapped ({@code ::ffff:127.0.0.0/104} is {@code 127.0.0.0/8}), whichever way the
 * address itself is held; an IPv6 block such as {@code ::/0} holds no IPv4 address.
 */
public final class AddressBlock {

    private static final int IPV4_MAPPED_PREFIX = 96;

    /** The block's first address: its prefix, the bits after it cleared. */
    private final byte[] network;
    private final int prefixLength;

    private AddressBlock(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >> bit % 8);
        }
    }

    /**
     * Reads {@code ADDRESS} or {@code ADDRESS/PREFIX}, the address a literal (never looked up in DNS).
     *
     * @throws IllegalArgumentException naming the text when it is not a block
     */
    public static AddressBlock parse(String text) {
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text : text.substring(0, slash);
        Optional<InetAddress> address = IpAddresses.parse(literal);
        if (address.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or block (as 127.0.0.0/8 or ::1)");
        }
        boolean writtenAsIpv6 = literal.indexOf(':') >= 0;
        int maxPrefix = writtenAsIpv6 ? 128 : 32;
        int prefixLength = slash < 0 ? maxPrefix : prefixLength(text, text.substring(slash + 1), maxPrefix);
        byte[] bytes = address.get().getAddress();
        if (writtenAsIpv6 && address.get() instanceof Inet4Address) {
            if (prefixLength < IPV4_MAPPED_PREFIX) {
                throw new IllegalArgumentException("'" + text + "' mixes IPv4-mapped and other IPv6 addresses: an "
                        + "IPv4-mapped block needs a prefix of /96 or more");
            }
            prefixLength -= IPV4_MAPPED_PREFIX;
        }
        return new AddressBlock(bytes, prefixLength);
    }

    private static int prefixLength(String text, String prefix, int maxPrefix) {
        // Digits only, no sign or leading zero: Integer.parseInt would take "+8" and "08".
        if (!prefix.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(prefix) > maxPrefix) {
            throw new IllegalArgumentException("the prefix length in '" + text + "' is not a number from 0 to "
                    + maxPrefix);
        }
        return Integer.parseInt(prefix);
    }

    /** Whether the address is in the block; an IPv4-mapped IPv6 address counts as its IPv4 address. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
        }
        if (bytes.length != network.length) {
            return false;
        }
        int whole = prefixLength / 8;
        if (!Arrays.equals(bytes, 0, whole, network, 0, whole)) {
            return false;
        }
        int rest = prefixLength % 8;
        return rest == 0 || ((bytes[whole] ^ network[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    /** {@code ::ffff:0:0/96}: the JDK reads these as IPv4, but an {@link Inet6Address} can still hold one. */
    private static boolean isIpv4Mapped(byte[] ipv6) {
        for (int i = 0; i < 10; i++) {
            if (ipv6[i] != 0) {
                return false;
            }
        }
        return ipv6[10] == (byte) 0xff && ipv6[11] == (byte) 0xff;
    }

    /** The block as it is matched: {@code 127.0.0.0/8} for {@code 127.0.0.1/8}. */
    @Override
    public String toString() {
        return IpAddresses.text(IpAddresses.fromBytes(network)) + "/" + prefixLength;
    }
}
