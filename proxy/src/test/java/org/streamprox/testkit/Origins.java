package org.streamprox.testkit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.streamprox.proxy.route.RequestOrigin;

/** Where the requests of rewrite tests come from: clients on loopback addresses, as every test's traffic. */
public final class Origins {

    /** A plain client, 127.0.0.7:40007, on a listener at 127.0.0.1:8080, routed by route {@code test}. */
    public static final RequestOrigin PLAIN = new RequestOrigin(address(7, 40007), address(1, 8080), false,
            Optional.empty(), "test", false);

    private Origins() {
    }

    /** 127.0.0.{@code last}:{@code port}. */
    public static InetSocketAddress address(int last, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last}), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
