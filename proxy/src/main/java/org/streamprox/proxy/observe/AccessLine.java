package org.streamprox.proxy.observe;

import java.net.InetSocketAddress;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One access-log line being written: each field goes once into the text line and, as a key-value pair, onto the
 * logging event, so that an encoder that writes fields (the JSON log) has them typed and apart, and one that writes
 * text (the pattern encoder) has the line as before. A field without a value is {@code -} in the text and has no pair.
 */
final class AccessLine {

    private final StringBuilder text = new StringBuilder(192);
    private final LoggingEventBuilder event;

    AccessLine(LoggingEventBuilder event) {
        this.event = event;
    }

    /**
     * {@code label} and the value in the text, {@code -} when there is none (null or empty); the pair when there is
     * one. Numbers stay numbers in the pair.
     */
    AccessLine field(String label, String key, Object value) {
        text.append(label);
        if (value == null || "".equals(value)) {
            text.append('-');
        } else {
            text.append(value);
            event.addKeyValue(key, value);
        }
        return this;
    }

    /** {@code label} and {@code host:port} in the text; the host and the port as two pairs. */
    AccessLine address(String label, String hostKey, String portKey, InetSocketAddress address) {
        String host = AccessLog.host(address);
        text.append(label).append(AccessLog.withPort(host, address.getPort()));
        event.addKeyValue(hostKey, host);
        event.addKeyValue(portKey, address.getPort());
        return this;
    }

    /** Text only: a unit after a number. */
    AccessLine text(String literal) {
        text.append(literal);
        return this;
    }

    /** A pair only: something the text line says in other words. */
    AccessLine pair(String key, Object value) {
        event.addKeyValue(key, value);
        return this;
    }

    void write() {
        event.log(text.toString());
    }
}
