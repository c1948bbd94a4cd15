package org.streamprox.proxy.proxyprotocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.streamprox.proxy.net.IpAddresses;

/**
 * The PROXY header StreamProx sends an upstream before a client's bytes, so that the upstream learns who the client
 * is: the PROXY command over TCP. When one address is IPv4 and the other IPv6, the IPv4 one is sent in its
 * IPv4-mapped IPv6 form ({@code ::ffff:127.0.0.1}), as HAProxy does. A connection of StreamProx's own, a health
 * check, has no client to name: it sends the header that says so ({@link #v1Unknown}, {@link #v2Local}).
 */
public final class ProxyHeaderWriter {

    private static final byte[] IPV4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private ProxyHeaderWriter() {
    }

    /**
     * A v1 line, e.g. {@code PROXY TCP4 127.0.0.7 127.0.0.1 5123 443\r\n}.
     *
     * @param client      the client's address and port
     * @param destination the address and port the client connected to
     */
    public static byte[] v1(InetSocketAddress client, InetSocketAddress destination) {
        InetAddress source = address(client);
        InetAddress target = address(destination);
        boolean ipv4 = bothIpv4(source, target);
        String line = "PROXY " + (ipv4 ? "TCP4 " : "TCP6 ") + text(source, ipv4) + " " + text(target, ipv4) + " "
                + client.getPort() + " " + destination.getPort() + "\r\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A v2 header with these TLVs after the addresses, in this order and as they are (a {@link Tlv#CRC32C} is not
     * computed).
     *
     * @throws IllegalArgumentException when the TLVs take more than the 16-bit length can say
     */
    public static byte[] v2(InetSocketAddress client, InetSocketAddress destination, List<Tlv> tlvs) {
        InetAddress source = address(client);
        InetAddress target = address(destination);
        boolean ipv4 = bothIpv4(source, target);
        int addressBytes = ipv4 ? 2 * 4 + 2 * 2 : 2 * 16 + 2 * 2;
        int length = addressBytes + tlvs.stream().mapToInt(Tlv::size).sum();
        if (length > 0xffff) {
            throw new IllegalArgumentException("TLVs of " + (length - addressBytes)
                    + " bytes do not fit a PROXY v2 header");
        }
        ByteBuffer header = ByteBuffer.allocate(BinaryHeaderParser.FIXED_BYTES + length)
                .put(BinaryHeaderParser.SIGNATURE)
                .put((byte) (BinaryHeaderParser.VERSION << 4 | BinaryHeaderParser.COMMAND_PROXY))
                .put((byte) ((ipv4 ? BinaryHeaderParser.FAMILY_INET : BinaryHeaderParser.FAMILY_INET6) << 4
                        | BinaryHeaderParser.TRANSPORT_STREAM))
                .putShort((short) length)
                .put(bytes(source, ipv4))
                .put(bytes(target, ipv4))
                .putShort((short) client.getPort())
                .putShort((short) destination.getPort());
        tlvs.forEach(tlv -> tlv.writeTo(header));
        return header.array();
    }

    /** The v1 line that names no client, {@code PROXY UNKNOWN\r\n}: the receiver takes the peer as the client. */
    public static byte[] v1Unknown() {
        return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The v2 header with the LOCAL command and no addresses, which the protocol meant for a proxy's own health checks:
     * the receiver takes the peer as the client.
     */
    public static byte[] v2Local() {
        return ByteBuffer.allocate(BinaryHeaderParser.FIXED_BYTES)
                .put(BinaryHeaderParser.SIGNATURE)
                .put((byte) (BinaryHeaderParser.VERSION << 4 | BinaryHeaderParser.COMMAND_LOCAL))
                .put((byte) (BinaryHeaderParser.FAMILY_UNSPEC << 4 | BinaryHeaderParser.TRANSPORT_UNSPEC))
                .putShort((short) 0)
                .array();
    }

    private static InetAddress address(InetSocketAddress socketAddress) {
        if (socketAddress.getAddress() == null) {
            throw new IllegalArgumentException(socketAddress + " is not resolved: a PROXY header carries addresses");
        }
        return socketAddress.getAddress();
    }

    private static boolean bothIpv4(InetAddress source, InetAddress target) {
        return source instanceof Inet4Address && target instanceof Inet4Address;
    }

    private static String text(InetAddress address, boolean ipv4) {
        String written = IpAddresses.text(address);
        return ipv4 || address instanceof Inet6Address ? written : "::ffff:" + written;
    }

    private static byte[] bytes(InetAddress address, boolean ipv4) {
        if (ipv4 || address instanceof Inet6Address) {
            return address.getAddress();
        }
        return ByteBuffer.allocate(16).put(IPV4_MAPPED_PREFIX).put(address.getAddress()).array();
    }
}
