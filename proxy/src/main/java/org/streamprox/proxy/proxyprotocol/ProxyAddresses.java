package org.streamprox.proxy.proxyprotocol;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.streamprox.proxy.observe.AccessLog;

/** The two ends of the proxied connection, as a PROXY header gives them. */
public sealed interface ProxyAddresses {

    /** For the access log: the family, then source and destination. */
    String describe();

    /**
     * TCP over IPv4 or IPv6. An IPv4-mapped IPv6 address is held as its IPv4 address, as the JDK's sockets report
     * one.
     *
     * @param source      the client's address and port
     * @param destination the address and port the client connected to, on the sending proxy
     */
    record Tcp(InetSocketAddress source, InetSocketAddress destination) implements ProxyAddresses {

        public Tcp {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public String describe() {
            return (source.getAddress() instanceof Inet4Address ? "TCP4 " : "TCP6 ") + AccessLog.address(source)
                    + " -> " + AccessLog.address(destination);
        }
    }

    /**
     * A UNIX stream socket's paths (v2 only), each as far as its first NUL byte: empty for an unnamed socket,
     * {@code @name} for a Linux abstract one.
     */
    record Unix(String source, String destination) implements ProxyAddresses {

        public Unix {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public String describe() {
            return "UNIX " + Printable.escaped(source) + " -> " + Printable.escaped(destination);
        }
    }

    /**
     * No addresses: v1's {@code UNKNOWN}, or v2's unspecified family or transport. Whatever address bytes came are
     * ignored, and the connection's own addresses stand.
     */
    record Unspecified() implements ProxyAddresses {

        @Override
        public String describe() {
            return "UNKNOWN";
        }
    }
}
