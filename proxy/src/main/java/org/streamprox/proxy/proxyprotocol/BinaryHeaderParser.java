package org.streamprox.proxy.proxyprotocol;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.streamprox.proxy.net.IpAddresses;

/**
 * Version 2, binary: a 12-byte signature, version and command, family and transport, a 16-bit length, then the
 * addresses and the TLVs. The 16 fixed bytes are checked as they arrive, the length against the reader's limit
 * before the rest is waited for; addresses and TLVs are read once all of it is in.
 *
 * <p>Taken: LOCAL and PROXY; IPv4, IPv6, UNIX or unspecified addresses over a stream or an unspecified transport
 * (then the addresses are skipped). Refused: datagrams, other values, a length shorter than the family's addresses,
 * TLVs that do not fill the rest exactly, a wrong CRC32c, and the single-valued TLVs twice or out of bounds.
 */
final class BinaryHeaderParser implements HeaderParser {

    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The signature, version and command, family and transport, and length. */
    static final int FIXED_BYTES = 16;
    static final int VERSION = 2;
    static final int COMMAND_LOCAL = 0;
    static final int COMMAND_PROXY = 1;
    static final int FAMILY_UNSPEC = 0;
    static final int FAMILY_INET = 1;
    static final int FAMILY_INET6 = 2;
    static final int TRANSPORT_UNSPEC = 0;
    static final int TRANSPORT_STREAM = 1;
    private static final int TRANSPORT_DGRAM = 2;
    /** sun_path's size. */
    private static final int UNIX_PATH_BYTES = 108;
    /** Each family's address block: two addresses, and two ports for IP. */
    private static final int[] ADDRESS_BYTES = {0, 2 * 4 + 2 * 2, 2 * 16 + 2 * 2, 2 * UNIX_PATH_BYTES};
    private static final String[] FAMILY_NAMES = {"AF_UNSPEC", "AF_INET", "AF_INET6", "AF_UNIX"};

    private static final int VERSION_AND_COMMAND = 12;
    private static final int FAMILY_AND_TRANSPORT = 13;
    private static final int LENGTH_LOW_BYTE = 15;
    /** HAProxy's bound: a DNS name is shorter still. */
    private static final int MAX_AUTHORITY_BYTES = 255;
    /** The specification's bound. */
    private static final int MAX_UNIQUE_ID_BYTES = 128;
    private static final int CRC32C_BYTES = 4;
    /** Types a header may carry once only: two values of one would leave the choice to whoever reads it. */
    private static final Set<Integer> SINGLE_VALUED = Set.of(Tlv.ALPN, Tlv.AUTHORITY, Tlv.CRC32C, Tlv.UNIQUE_ID,
            Tlv.SSL);

    private final int maxBytes;
    private int command;
    private int family;
    private int transport;
    /** The header's length, fixed part included, once its length field is in. */
    private int headerLength = -1;

    /** @param maxBytes the most a header may take, fixed part included */
    BinaryHeaderParser(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public int check(byte[] bytes, int from, int to) throws ProxyHeaderRefusal {
        for (int i = from; i < Math.min(to, FIXED_BYTES); i++) {
            checkFixed(bytes, i);
        }
        return headerLength >= 0 && to >= headerLength ? headerLength : -1;
    }

    private void checkFixed(byte[] bytes, int i) throws ProxyHeaderRefusal {
        int b = bytes[i] & 0xff;
        if (i < SIGNATURE.length) {
            if (b != SIGNATURE[i]) {
                throw ProxyHeaderRefusal.notAHeader(bytes, i + 1);
            }
        } else if (i == VERSION_AND_COMMAND) {
            if (b >> 4 != VERSION) {
                throw malformed("version " + (b >> 4) + " after the v2 signature");
            }
            command = b & 0xf;
            if (command != COMMAND_LOCAL && command != COMMAND_PROXY) {
                throw malformed("command " + command + ", neither LOCAL (0) nor PROXY (1)");
            }
        } else if (i == FAMILY_AND_TRANSPORT) {
            family = b >> 4;
            transport = b & 0xf;
            if (family >= ADDRESS_BYTES.length) {
                throw malformed("address family " + family);
            }
            if (transport == TRANSPORT_DGRAM) {
                throw malformed("a datagram transport (UDP or UNIX_DGRAM), not a stream");
            }
            if (transport != TRANSPORT_UNSPEC && transport != TRANSPORT_STREAM) {
                throw malformed("transport " + transport);
            }
        } else if (i == LENGTH_LOW_BYTE) {
            int declared = (bytes[i - 1] & 0xff) << 8 | b;
            if (declared < ADDRESS_BYTES[family]) {
                throw malformed("a length of " + declared + ", short of the " + ADDRESS_BYTES[family] + " bytes of "
                        + FAMILY_NAMES[family] + " addresses");
            }
            if (FIXED_BYTES + declared > maxBytes) {
                throw new ProxyHeaderRefusal("PROXY v2 header too long: " + (FIXED_BYTES + declared)
                        + " bytes, more than the limit of " + maxBytes);
            }
            headerLength = FIXED_BYTES + declared;
        }
    }

    @Override
    public ProxyHeader parse(byte[] bytes, int length) throws ProxyHeaderRefusal {
        int tlvStart = FIXED_BYTES + ADDRESS_BYTES[family];
        List<Tlv> tlvs = Tlv.split(bytes, tlvStart, length)
                .orElseThrow(() -> malformed("a TLV runs past the end of the header"));
        List<Tlv> kept = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        int at = tlvStart;
        for (Tlv tlv : tlvs) {
            if (SINGLE_VALUED.contains(tlv.type()) && !seen.add(tlv.type())) {
                throw malformed(String.format("two TLVs of type 0x%02x", tlv.type()));
            }
            checkValue(tlv);
            if (tlv.type() == Tlv.CRC32C) {
                checkCrc32c(bytes, length, at + Tlv.HEADER_BYTES);
            } else if (tlv.type() != Tlv.NOOP) {
                kept.add(tlv);
            }
            at += tlv.size();
        }
        ProxyHeader.Command meaning = command == COMMAND_LOCAL ? ProxyHeader.Command.LOCAL : ProxyHeader.Command.PROXY;
        return new ProxyHeader(VERSION, meaning, addresses(bytes), kept);
    }

    private ProxyAddresses addresses(byte[] bytes) {
        if (family == FAMILY_UNSPEC || transport == TRANSPORT_UNSPEC) {
            return new ProxyAddresses.Unspecified();
        }
        return switch (family) {
            case FAMILY_INET -> tcp(bytes, 4);
            case FAMILY_INET6 -> tcp(bytes, 16);
            // AF_UNIX, the one family left: checkFixed lets no other through.
            default -> new ProxyAddresses.Unix(unixPath(bytes, FIXED_BYTES),
                    unixPath(bytes, FIXED_BYTES + UNIX_PATH_BYTES));
        };
    }

    private static ProxyAddresses.Tcp tcp(byte[] bytes, int addressBytes) {
        int ports = FIXED_BYTES + 2 * addressBytes;
        return new ProxyAddresses.Tcp(
                new InetSocketAddress(IpAddresses.fromBytes(Arrays.copyOfRange(bytes, FIXED_BYTES,
                        FIXED_BYTES + addressBytes)), (bytes[ports] & 0xff) << 8 | bytes[ports + 1] & 0xff),
                new InetSocketAddress(IpAddresses.fromBytes(Arrays.copyOfRange(bytes, FIXED_BYTES + addressBytes,
                        ports)), (bytes[ports + 2] & 0xff) << 8 | bytes[ports + 3] & 0xff));
    }

    /** sun_path up to its first NUL; a Linux abstract name (a NUL first) as {@code @name}, as {@code ss} shows it. */
    private static String unixPath(byte[] bytes, int from) {
        boolean abstractName = bytes[from] == 0;
        int start = abstractName ? from + 1 : from;
        int end = start;
        while (end < from + UNIX_PATH_BYTES && bytes[end] != 0) {
            end++;
        }
        String path = new String(bytes, start, end - start, StandardCharsets.UTF_8);
        return abstractName && !path.isEmpty() ? "@" + path : path;
    }

    private void checkValue(Tlv tlv) throws ProxyHeaderRefusal {
        byte[] value = tlv.value();
        switch (tlv.type()) {
            case Tlv.CRC32C -> {
                if (value.length != CRC32C_BYTES) {
                    throw malformed("a CRC32C TLV of " + value.length + " bytes, not 4");
                }
            }
            case Tlv.AUTHORITY -> {
                if (value.length > MAX_AUTHORITY_BYTES || !isUtf8(value)) {
                    throw malformed("an AUTHORITY TLV that is not a host name in UTF-8 of at most "
                            + MAX_AUTHORITY_BYTES + " bytes");
                }
            }
            case Tlv.UNIQUE_ID -> {
                if (value.length > MAX_UNIQUE_ID_BYTES) {
                    throw malformed("a UNIQUE_ID TLV of " + value.length + " bytes, more than "
                            + MAX_UNIQUE_ID_BYTES);
                }
            }
            case Tlv.SSL -> {
                if (tlv.sslTlvs().isEmpty()) {
                    throw malformed("an SSL TLV whose own TLVs do not fit it");
                }
            }
            default -> {
                // Others are the sender's business; ALPN is bytes, as in TLS.
            }
        }
    }

    private static boolean isUtf8(byte[] value) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The specification's check: the CRC32c of the whole header, with the TLV's own 4 bytes taken as zeros. */
    private static void checkCrc32c(byte[] bytes, int length, int checksumAt) throws ProxyHeaderRefusal {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, checksumAt);
        crc.update(new byte[CRC32C_BYTES]);
        crc.update(bytes, checksumAt + CRC32C_BYTES, length - checksumAt - CRC32C_BYTES);
        long sent = ByteBuffer.wrap(bytes, checksumAt, CRC32C_BYTES).getInt() & 0xffffffffL;
        if (crc.getValue() != sent) {
            throw malformed(String.format("CRC32C 0x%08x, but the header's is 0x%08x", sent, crc.getValue()));
        }
    }

    private static ProxyHeaderRefusal malformed(String what) {
        return ProxyHeaderRefusal.malformed(VERSION, what);
    }
}
