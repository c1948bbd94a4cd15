package org.streamprox.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener on 127.0.0.1 that never accepts and whose backlog is filled, so further connection attempts get no
 * answer at all, as with a dead host: a connect to it lasts until the connector's timeout.
 */
public final class StalledUpstream implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    public StalledUpstream() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        fillBacklog();
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void fillBacklog() throws IOException {
        while (fillers.size() < 64) {
            Socket filler = new Socket();
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 200);
                fillers.add(filler);
            } catch (SocketTimeoutException e) {
                filler.close();
                return;
            }
        }
        throw new IllegalStateException("the backlog never filled");
    }

    @Override
    public void close() throws IOException {
        for (Socket filler : fillers) {
            filler.close();
        }
        listener.close();
    }
}
