package org.streamprox.proxy.detect;

/**
 * What {@link Detector#detect} made of a connection's first bytes. Whatever it is, the bytes read are back in front
 * of the stream for the next stage.
 */
public sealed interface Detection {

    /** How many bytes were read (and given back): for the access log. */
    int bytesRead();

    /** The result in one word, for the metrics: the protocol's name, {@code unknown}, {@code incomplete}, ... */
    String label();

    /** The first probe in order that did not say no said yes. */
    record Matched(Protocol protocol, int bytesRead) implements Detection {

        @Override
        public String label() {
            return protocol.name();
        }
    }

    /**
     * No probe matched the bytes: every one said no, or still wanted more when the byte limit was reached or the
     * client ended its stream.
     */
    record Unknown(int bytesRead) implements Detection {

        @Override
        public String label() {
            return "unknown";
        }
    }

    /**
     * The head deadline passed after some bytes while the probe of {@code awaited}, the first in order not to have
     * said no, still wanted more. Told apart from {@link Unknown} because the deadline has passed: a head reader
     * run next would fail at once, before reading the bytes given back, and report that nothing was sent.
     */
    record Incomplete(Protocol awaited, int bytesRead) implements Detection {

        @Override
        public String label() {
            return "incomplete";
        }
    }

    /**
     * Nothing arrived by the detect deadline: a client waiting for the server to speak first (SMTP, FTP), or, when
     * the detect deadline was the head deadline, one that sent nothing in all the time allowed.
     */
    record Silent() implements Detection {

        @Override
        public int bytesRead() {
            return 0;
        }

        @Override
        public String label() {
            return "silent";
        }
    }

    /** The client ended its stream without sending anything. */
    record Closed() implements Detection {

        @Override
        public int bytesRead() {
            return 0;
        }

        @Override
        public String label() {
            return "closed";
        }
    }
}
