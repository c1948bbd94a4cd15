package org.streamprox.proxy.proxyprotocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** PROXY headers put together byte by byte, as the specification lays them out, to be right or wrong on purpose. */
final class Wire {

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    static final int LOCAL = 0x20;
    static final int PROXY = 0x21;
    static final int UNSPEC = 0x00;
    static final int TCP4 = 0x11;
    static final int TCP6 = 0x21;
    static final int UNIX_STREAM = 0x31;

    private Wire() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A v2 header: the signature, the two bytes given, the length of what follows, and that. */
    static byte[] v2(int versionAndCommand, int familyAndTransport, byte[]... body) {
        byte[] rest = concat(body);
        return ByteBuffer.allocate(16 + rest.length).put(V2_SIGNATURE).put((byte) versionAndCommand)
                .put((byte) familyAndTransport).putShort((short) rest.length).put(rest).array();
    }

    /** As {@link #v2}, with a CRC32C TLV last holding the right checksum. */
    static byte[] v2WithCrc32c(int versionAndCommand, int familyAndTransport, byte[]... body) {
        byte[] header = v2(versionAndCommand, familyAndTransport, concat(body), tlv(Tlv.CRC32C, new byte[4]));
        CRC32C crc = new CRC32C();
        crc.update(header);
        ByteBuffer.wrap(header).putInt(header.length - 4, (int) crc.getValue());
        return header;
    }

    /** 127.0.0.1:5123 to 127.0.0.1:443, as v2 writes TCP over IPv4. */
    static byte[] loopbackIpv4() {
        return ByteBuffer.allocate(12).put(new byte[] {127, 0, 0, 1, 127, 0, 0, 1}).putShort((short) 5123)
                .putShort((short) 443).array();
    }

    static byte[] tlv(int type, byte[] value) {
        return ByteBuffer.allocate(3 + value.length).put((byte) type).putShort((short) value.length).put(value)
                .array();
    }

    static byte[] tlv(int type, String value) {
        return tlv(type, value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
