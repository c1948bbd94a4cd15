package org.streamprox.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses the body of a ClientHello handshake message (RFC 8446 4.1.2, RFC 5246 7.4.1.2) strictly, where it lies in
 * the array: every length must hold, and of the extensions server_name (RFC 6066), ALPN (RFC 7301) and
 * encrypted_client_hello are read, the others only framed.
 */
final class ClientHelloParser {

    private static final int SERVER_NAME = 0;
    private static final int ALPN = 16;
    private static final int PRE_SHARED_KEY = 41;
    private static final int ENCRYPTED_CLIENT_HELLO = 0xfe0d;
    private static final int HOST_NAME = 0;

    private static final int RANDOM = 32;
    private static final int MAX_SESSION_ID = 32;
    /** 255 bytes in DNS's wire form are 253 characters written out without the root's dot. */
    private static final int MAX_HOST_NAME = 253;
    private static final int MAX_LABEL = 63;

    private final byte[] bytes;
    private int position;

    private ClientHelloParser(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.position = offset;
    }

    /** Parses the {@code length} bytes from {@code offset}: the message after its 4-byte handshake header. */
    static ClientHello parse(byte[] bytes, int offset, int length) throws TlsRefusal {
        return new ClientHelloParser(bytes, offset).hello(offset + length);
    }

    private ClientHello hello(int end) throws TlsRefusal {
        int version = uint16(end, "legacy_version");
        if (version >> 8 != 3) {
            throw new TlsRefusal(TlsAlert.PROTOCOL_VERSION, String.format("ClientHello version 0x%04x", version));
        }
        position = fieldEnd(RANDOM, end, "random");
        int sessionIdEnd = vector(1, end, "legacy_session_id");
        if (sessionIdEnd - position > MAX_SESSION_ID) {
            throw decodeError("a legacy_session_id of " + (sessionIdEnd - position) + " bytes");
        }
        position = sessionIdEnd;
        int suitesEnd = vector(2, end, "cipher_suites");
        int suites = suitesEnd - position;
        if (suites < 2 || suites % 2 != 0) {
            throw decodeError("cipher_suites of " + suites + " bytes");
        }
        position = suitesEnd;
        int compressionEnd = vector(1, end, "legacy_compression_methods");
        if (compressionEnd == position) {
            throw decodeError("no legacy_compression_methods");
        }
        position = compressionEnd;
        if (position == end) {
            // RFC 5246 7.4.1.2: a TLS 1.2 hello may end here, without an extensions block.
            return new ClientHello(Optional.empty(), List.of(), false);
        }
        if (vector(2, end, "extensions") != end) {
            throw decodeError("bytes after the extensions");
        }
        return extensions(end);
    }

    private ClientHello extensions(int end) throws TlsRefusal {
        Optional<String> serverName = Optional.empty();
        List<String> protocols = List.of();
        boolean encryptedHello = false;
        int[] types = new int[(end - position) / 4];
        int count = 0;
        while (position < end) {
            if (count > 0 && types[count - 1] == PRE_SHARED_KEY) {
                // RFC 8446 4.2.11: its binders cover the hello up to it, so nothing may follow.
                throw new TlsRefusal(TlsAlert.ILLEGAL_PARAMETER, "pre_shared_key not the last extension");
            }
            int type = uint16(end, "an extension type");
            types[count++] = type;
            int dataEnd = vector(2, end, "an extension");
            switch (type) {
                case SERVER_NAME -> serverName = Optional.of(serverName(dataEnd));
                case ALPN -> protocols = protocols(dataEnd);
                // Its payload is for the terminating server, which holds the keys; presence is all routing needs.
                case ENCRYPTED_CLIENT_HELLO -> encryptedHello = true;
                default -> {
                    // Framed, not read.
                }
            }
            position = dataEnd;
        }
        // Sorting beats comparing each with all: a hostile hello within the limit may carry thousands.
        Arrays.sort(types, 0, count);
        for (int i = 1; i < count; i++) {
            if (types[i] == types[i - 1]) {
                // RFC 8446 4.2: an extension type appears once; OpenSSL answers a repeat with illegal_parameter.
                throw new TlsRefusal(TlsAlert.ILLEGAL_PARAMETER, "extension " + types[i] + " more than once");
            }
        }
        return new ClientHello(serverName, protocols, encryptedHello);
    }

    /**
     * Exactly one host_name, as OpenSSL requires: RFC 6066 never defined other name types, so a list holding one
     * cannot even be framed reliably.
     */
    private String serverName(int end) throws TlsRefusal {
        if (vector(2, end, "the server_name list") != end) {
            throw decodeError("bytes after the server_name list");
        }
        int type = uint8(end, "the server_name list");
        if (type != HOST_NAME) {
            throw decodeError("a server name of type " + type);
        }
        if (vector(2, end, "a host_name") != end) {
            throw decodeError("more than one server name");
        }
        return hostName(end);
    }

    /**
     * A DNS host name: labels of 1 to 63 letters, digits and hyphens (where a hyphen may stand is not checked: names
     * breaking that rule exist and route harmlessly), no trailing dot, and no IP address, which RFC 6066 3 forbids
     * in SNI. An address is a last label that is a number, as URL parsers read one (WHATWG "ends in a number").
     */
    private String hostName(int end) throws TlsRefusal {
        int from = position;
        if (end == from) {
            throw decodeError("an empty host_name");
        }
        if (end - from > MAX_HOST_NAME) {
            throw illegalName("of " + (end - from) + " bytes");
        }
        int label = from;
        for (int i = from; i < end; i++) {
            int b = bytes[i] & 0xff;
            if (b == '.') {
                if (i == label) {
                    throw illegalName("with an empty label");
                }
                label = i + 1;
            } else if (!isLetterDigitHyphen(b)) {
                throw illegalName(String.format("with byte 0x%02x", b));
            } else if (i - label == MAX_LABEL) {
                throw illegalName("with a label longer than " + MAX_LABEL + " bytes");
            }
        }
        if (label == end) {
            throw illegalName("ending with a dot");
        }
        if (isNumber(label, end)) {
            throw illegalName("that is an IP address");
        }
        // toLowerCase returns the same string when it is lower-case already, as names almost always are.
        return new String(bytes, from, end - from, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static boolean isLetterDigitHyphen(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-';
    }

    /** Decimal digits, or 0x and hexadecimal digits: how an IPv4 address's last part may be written. */
    private boolean isNumber(int from, int end) {
        boolean hex = end - from >= 2 && bytes[from] == '0' && (bytes[from + 1] | 0x20) == 'x';
        for (int i = hex ? from + 2 : from; i < end; i++) {
            int b = bytes[i] | 0x20;
            if (!(b >= '0' && b <= '9') && !(hex && b >= 'a' && b <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private List<String> protocols(int end) throws TlsRefusal {
        if (vector(2, end, "the ALPN list") != end) {
            throw decodeError("bytes after the ALPN list");
        }
        if (position == end) {
            throw decodeError("an empty ALPN list");
        }
        List<String> names = new ArrayList<>(4);
        while (position < end) {
            int nameEnd = vector(1, end, "an ALPN protocol name");
            if (nameEnd == position) {
                throw decodeError("an empty ALPN protocol name");
            }
            names.add(new String(bytes, position, nameEnd - position, StandardCharsets.ISO_8859_1));
            position = nameEnd;
        }
        return names;
    }

    private int uint8(int end, String field) throws TlsRefusal {
        position = fieldEnd(1, end, field);
        return bytes[position - 1] & 0xff;
    }

    private int uint16(int end, String field) throws TlsRefusal {
        position = fieldEnd(2, end, field);
        return (bytes[position - 2] & 0xff) << 8 | bytes[position - 1] & 0xff;
    }

    /** Reads a vector's length of 1 or 2 bytes and returns where the vector ends; the position is at its start. */
    private int vector(int lengthBytes, int end, String field) throws TlsRefusal {
        int length = lengthBytes == 1 ? uint8(end, field) : uint16(end, field);
        return fieldEnd(length, end, field);
    }

    /** Where {@code size} bytes from the position end, when that is not past {@code end}. */
    private int fieldEnd(int size, int end, String field) throws TlsRefusal {
        if (size > end - position) {
            throw decodeError("the ClientHello ends inside " + field);
        }
        return position + size;
    }

    private static TlsRefusal decodeError(String reason) {
        return new TlsRefusal(TlsAlert.DECODE_ERROR, reason);
    }

    private static TlsRefusal illegalName(String what) {
        return new TlsRefusal(TlsAlert.ILLEGAL_PARAMETER, "a server name " + what);
    }
}
