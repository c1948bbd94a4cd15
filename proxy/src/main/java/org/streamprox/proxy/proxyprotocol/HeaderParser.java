package org.streamprox.proxy.proxyprotocol;

/**
 * One version's header, checked as its bytes arrive, so that bytes which cannot be part of it are refused at once
 * rather than at the deadline, and read once its last byte is in.
 */
sealed interface HeaderParser permits TextHeaderParser, BinaryHeaderParser {

    /**
     * Checks {@code bytes[from, to)}, which follow the bytes checked before.
     *
     * @return the header's length once its last byte is among them, else -1
     */
    int check(byte[] bytes, int from, int to) throws ProxyHeaderRefusal;

    /** Reads the header that takes {@code bytes[0, length)}, as {@link #check} found it. */
    ProxyHeader parse(byte[] bytes, int length) throws ProxyHeaderRefusal;
}
