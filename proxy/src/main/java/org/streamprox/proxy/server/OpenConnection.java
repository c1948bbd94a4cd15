package org.streamprox.proxy.server;

import org.streamprox.proxy.observe.ConnectionSummary;

/**
 * A connection being served, as far as it has got: what its record knew when asked, read from another thread
 * without stopping it (a value written just then may show on the next look).
 *
 * @param listener the listener's address, as the access log writes addresses ({@code 127.0.0.1:8080})
 * @param now      its record's summary: no outcome yet, and the age as its duration
 */
public record OpenConnection(String listener, ConnectionSummary now) {
}
