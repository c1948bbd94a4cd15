package org.streamprox.proxy.tls;

import static org.streamprox.testkit.Http.ascii;

import java.io.ByteArrayOutputStream;
import java.util.function.IntUnaryOperator;

/**
 * Builds ClientHellos byte by byte for the cases no real client sends: a TLS 1.3-shaped hello whose every part
 * can be replaced, cut into records of any size.
 */
final class CraftedHello {

    static final int SERVER_NAME = 0;
    static final int ALPN = 16;
    static final int PADDING = 21;
    static final int SUPPORTED_VERSIONS = 43;
    static final int KEY_SHARE = 51;
    static final int PRE_SHARED_KEY = 41;
    static final int ENCRYPTED_CLIENT_HELLO = 0xfe0d;

    private int version = 0x0303;
    private byte[] sessionId = new byte[32];
    private byte[] cipherSuites = {0x13, 0x01, 0x13, 0x02};
    private byte[] compressionMethods = {0};
    private final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    private boolean withoutExtensions;

    CraftedHello version(int version) {
        this.version = version;
        return this;
    }

    CraftedHello sessionId(int length) {
        this.sessionId = new byte[length];
        return this;
    }

    CraftedHello cipherSuites(byte... suites) {
        this.cipherSuites = suites;
        return this;
    }

    CraftedHello compressionMethods(byte... methods) {
        this.compressionMethods = methods;
        return this;
    }

    /** A TLS 1.2 hello ending after the compression methods. */
    CraftedHello withoutExtensions() {
        this.withoutExtensions = true;
        return this;
    }

    CraftedHello extension(int type, byte[] data) {
        extensions.writeBytes(uint16(type));
        extensions.writeBytes(vector16(data));
        return this;
    }

    CraftedHello serverName(String name) {
        return extension(SERVER_NAME, vector16(concat(new byte[] {0}, vector16(ascii(name)))));
    }

    CraftedHello alpn(String... names) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String name : names) {
            list.write(name.length());
            list.writeBytes(ascii(name));
        }
        return extension(ALPN, vector16(list.toByteArray()));
    }

    /** The hello's body: what follows the handshake header. */
    byte[] body() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(uint16(version));
        body.writeBytes(new byte[32]);
        body.write(sessionId.length);
        body.writeBytes(sessionId);
        body.writeBytes(vector16(cipherSuites));
        body.write(compressionMethods.length);
        body.writeBytes(compressionMethods);
        if (!withoutExtensions) {
            body.writeBytes(vector16(extensions.toByteArray()));
        }
        return body.toByteArray();
    }

    /** The whole handshake message, in records of at most {@code fragment} bytes. */
    byte[] records(int fragment) {
        return records(message(body()), fragment);
    }

    /** A ClientHello handshake message around the body. */
    static byte[] message(byte[] body) {
        int n = body.length;
        return concat(new byte[] {1, (byte) (n >> 16), (byte) (n >> 8), (byte) n}, body);
    }

    /** Handshake records carrying the bytes, each at most {@code fragment} long. */
    static byte[] records(byte[] message, int fragment) {
        return records(message, record -> fragment);
    }

    /** Handshake records carrying the bytes, the n-th at most {@code fragments.applyAsInt(n)} (1 or more) long. */
    static byte[] records(byte[] message, IntUnaryOperator fragments) {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (int from = 0, record = 0; from < message.length; record++) {
            int n = Math.min(fragments.applyAsInt(record), message.length - from);
            records.writeBytes(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n});
            records.write(message, from, n);
            from += n;
        }
        return records.toByteArray();
    }

    static byte[] vector16(byte[] data) {
        return concat(uint16(data.length), data);
    }

    static byte[] uint16(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
