package org.streamprox.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.streamprox.proxy.http.HeadLimits;

/**
 * How a listener behaves, whatever its routes.
 *
 * @param listen         the address to bind
 * @param head           limits on reading each connection's head
 * @param drainTimeout   on shutdown, how long open connections may take to finish before they are closed
 * @param copyBufferSize bytes per direction a remote connection copies at once: its memory bound
 */
public record ProxySettings(InetSocketAddress listen, HeadLimits head, Duration drainTimeout, int copyBufferSize) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_COPY_BUFFER_SIZE = 16 * 1024;

    public ProxySettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (copyBufferSize < 512) {
            throw new IllegalArgumentException("copy buffer must be at least 512 bytes, not " + copyBufferSize);
        }
    }

    /** Default limits on the given address. */
    public static ProxySettings listeningOn(InetSocketAddress listen) {
        return new ProxySettings(listen, HeadLimits.defaults(), DEFAULT_DRAIN_TIMEOUT, DEFAULT_COPY_BUFFER_SIZE);
    }

    public ProxySettings withListen(InetSocketAddress newListen) {
        return new ProxySettings(newListen, head, drainTimeout, copyBufferSize);
    }

    public ProxySettings withHead(HeadLimits newHead) {
        return new ProxySettings(listen, newHead, drainTimeout, copyBufferSize);
    }

    public ProxySettings withDrainTimeout(Duration newDrainTimeout) {
        return new ProxySettings(listen, head, newDrainTimeout, copyBufferSize);
    }
}
