package org.streamprox.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ports for a peer in another process (haproxy, nginx) to listen on, which cannot be told to take port 0. */
public final class FreePorts {

    private FreePorts() {
    }

    /** Ports free on 127.0.0.1 now, all different: they are held together until all are chosen. */
    public static int[] onLoopback(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }
}
