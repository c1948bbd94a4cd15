package org.streamprox.proxy.detect;

/**
 * Tells from a connection's first bytes whether it speaks one protocol. Probes are stateless and shared by all
 * connections; the detector asks again, with all the bytes so far, each time more arrive.
 *
 * <p>An answer of {@link Answer#MATCH} or {@link Answer#NO} must hold for any longer bytes that start with the same
 * ones: then what the detector decides does not depend on how the network cut the bytes into reads.
 */
@FunctionalInterface
public interface Probe {

    /** What a probe makes of the bytes so far. */
    enum Answer {
        /** The bytes start the protocol. */
        MATCH,
        /** They cannot start it, however many more come. */
        NO,
        /** They could start it; more bytes will tell. */
        NEED_MORE
    }

    /**
     * @param bytes  the connection's first bytes, from index 0; read only
     * @param length how many of them have arrived, at least 1
     */
    Answer answer(byte[] bytes, int length);
}
