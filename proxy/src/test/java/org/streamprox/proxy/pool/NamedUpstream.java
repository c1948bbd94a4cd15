package org.streamprox.proxy.pool;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;

/**
 * An HTTP upstream of the pool tests on a port that stays its own: it answers its health check
 * ({@code GET /healthz}) with the status the test sets, 200 at first, and any other request with its name. Stopped,
 * its port refuses connections until it is started again.
 */
final class NamedUpstream implements AutoCloseable {

    static final String CHECK_PATH = "/healthz";

    /** A check request it was sent, and the status it answered. */
    record Check(String head, int status) {
    }

    private final String name;
    private final int port;
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private volatile int checkStatus = 200;
    private LoopbackServer server;

    private NamedUpstream(String name, int port) {
        this.name = name;
        this.port = port;
    }

    static NamedUpstream start(String name) throws IOException {
        NamedUpstream upstream = new NamedUpstream(name, FreePorts.onLoopback(1)[0]);
        upstream.startAgain();
        return upstream;
    }

    synchronized void startAgain() throws IOException {
        server = LoopbackServer.on(port, this::answer);
    }

    synchronized void stop() throws Exception {
        server.close();
        server = null;
    }

    void answerChecksWith(int status) {
        checkStatus = status;
    }

    /** The check requests it was sent, in order. */
    List<Check> checks() {
        return List.copyOf(checks);
    }

    /** How many of its last checks in a row it answered with this status. */
    int lastChecksAnswered(int status) {
        List<Check> all = checks();
        int count = 0;
        while (count < all.size() && all.get(all.size() - 1 - count).status() == status) {
            count++;
        }
        return count;
    }

    String name() {
        return name;
    }

    /** {@code 127.0.0.1:PORT}, as the configuration and the pool's log name it. */
    String address() {
        return "127.0.0.1:" + port;
    }

    private void answer(Socket socket) throws IOException {
        String head = Http.readHead(socket.getInputStream());
        boolean check = Http.target(head).equals(CHECK_PATH);
        int status = check ? checkStatus : 200;
        if (check) {
            checks.add(new Check(head, status));
        }
        OutputStream out = socket.getOutputStream();
        out.write(Http.ascii("HTTP/1.1 " + status + " Whatever\r\nContent-Length: "
                + name.length() + "\r\nConnection: close\r\n\r\n" + name));
        out.flush();
    }

    @Override
    public synchronized void close() throws Exception {
        if (server != null) {
            stop();
        }
    }
}
