package org.streamprox.proxy.route;

import java.time.Duration;
import java.util.Objects;

/** Where a route sends its connections. */
public sealed interface Target {

    /** For logs: {@code remote host:port} or {@code local NAME}. */
    String describe();

    /**
     * A server elsewhere, reached over TCP.
     *
     * @param connectTimeout how long to wait for the upstream to accept before answering {@code 504}
     */
    record Remote(String host, int port, Duration connectTimeout) implements Target {

        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

        public Remote {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        public Remote(String host, int port) {
            this(host, port, DEFAULT_CONNECT_TIMEOUT);
        }

        @Override
        public String describe() {
            return "remote " + host + ":" + port;
        }
    }

    /** An in-process app registered under a name; the connection is handed to it, not copied. */
    record Local(String app) implements Target {

        public Local {
            Objects.requireNonNull(app, "app");
        }

        @Override
        public String describe() {
            return "local " + app;
        }
    }
}
