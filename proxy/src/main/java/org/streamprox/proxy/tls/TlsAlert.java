package org.streamprox.proxy.tls;

import java.nio.ByteBuffer;

/**
 * The alert descriptions a refused ClientHello is answered with (RFC 8446 6.2), and the plaintext record that
 * carries one: before a handshake there are no keys, so an alert goes out as it is.
 */
public final class TlsAlert {

    /**
     * No alert: the client went away or sent nothing, so the connection is only closed. The value is close_notify's,
     * which a refusal never sends.
     */
    public static final int NONE = 0;
    public static final int UNEXPECTED_MESSAGE = 10;
    public static final int RECORD_OVERFLOW = 22;
    public static final int HANDSHAKE_FAILURE = 40;
    public static final int ILLEGAL_PARAMETER = 47;
    public static final int DECODE_ERROR = 50;
    public static final int PROTOCOL_VERSION = 70;
    public static final int UNRECOGNIZED_NAME = 112;

    private static final byte CONTENT_TYPE_ALERT = 21;
    private static final byte LEVEL_FATAL = 2;

    private TlsAlert() {
    }

    /** The description's name as RFC 8446 writes it, for the logs. */
    public static String name(int description) {
        return switch (description) {
            case NONE -> "none";
            case UNEXPECTED_MESSAGE -> "unexpected_message";
            case RECORD_OVERFLOW -> "record_overflow";
            case HANDSHAKE_FAILURE -> "handshake_failure";
            case ILLEGAL_PARAMETER -> "illegal_parameter";
            case DECODE_ERROR -> "decode_error";
            case PROTOCOL_VERSION -> "protocol_version";
            case UNRECOGNIZED_NAME -> "unrecognized_name";
            default -> "alert " + description;
        };
    }

    /**
     * A fatal alert record with the description, in record version 0x0303 (TLS 1.2), which every version's client
     * accepts before the version is agreed.
     *
     * @param description an alert description from 1 to 255
     */
    public static ByteBuffer fatal(int description) {
        if (description < 1 || description > 255) {
            throw new IllegalArgumentException("not an alert to send: " + description);
        }
        return ByteBuffer.wrap(new byte[] {CONTENT_TYPE_ALERT, 3, 3, 0, 2, LEVEL_FATAL, (byte) description});
    }
}
