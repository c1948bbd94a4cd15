package org.streamprox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.HttpResponse;

/**
 * Clients on virtual threads asking through StreamProx in a loop, each request on a new connection, until closed;
 * every outcome is counted: answers by the server that gave them, error answers, and connections cut before any
 * answer.
 */
final class SteadyLoad implements AutoCloseable {

    /** Far longer than a server stays frozen in a test: a request queued at a frozen server waits for it. */
    private static final int READ_TIMEOUT_MILLIS = 20_000;

    private final int port;
    private final String path;
    private final List<Thread> clients = new ArrayList<>();
    private final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();
    private final AtomicLong answered = new AtomicLong();
    private final Queue<String> errors = new ConcurrentLinkedQueue<>();
    private final Queue<String> cuts = new ConcurrentLinkedQueue<>();
    /** Held by each request; taken whole while the clients hold off. */
    private final ReadWriteLock turns = new ReentrantReadWriteLock(true);
    private volatile boolean running = true;

    private SteadyLoad(int port, String path) {
        this.port = port;
        this.path = path;
    }

    /** {@code clients} clients asking {@code GET path} of 127.0.0.1:{@code port}. */
    static SteadyLoad start(int port, String path, int clients) {
        SteadyLoad load = new SteadyLoad(port, path);
        for (int i = 0; i < clients; i++) {
            load.clients.add(Thread.ofVirtual().name("load-" + i).start(load::askUntilClosed));
        }
        return load;
    }

    private void askUntilClosed() {
        while (running) {
            turns.readLock().lock();
            try {
                askOnce();
            } finally {
                turns.readLock().unlock();
            }
        }
    }

    private void askOnce() {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                errors.add("StreamProx did not accept: " + e);
                return;
            }
            ask(socket);
        } catch (IOException e) {
            errors.add("closing: " + e);
        }
    }

    private void ask(Socket socket) {
        try {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(Http.ascii(
                    "GET " + path + " HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n"));
            HttpResponse response = HttpResponse.read(socket.getInputStream());
            if (response.status() == 200) {
                answeredBy.computeIfAbsent(response.text().strip(), name -> new LongAdder()).increment();
                answered.incrementAndGet();
            } else {
                errors.add(response.status() + " " + response.text().strip());
            }
        } catch (SocketTimeoutException e) {
            errors.add("no answer within " + READ_TIMEOUT_MILLIS + " ms");
        } catch (IOException e) {
            // StreamProx answers every failure to connect upstream; a connection ends without an answer only when
            // the server it reached went away after the request was forwarded to it.
            cuts.add(e.toString());
        }
    }

    /**
     * Runs {@code action} while no request is under way: each client finishes the one it is making and waits for
     * the action to end. A server frozen this way has none of these requests caught in its queue until it thaws.
     */
    <T> T holdingOff(Callable<T> action) throws Exception {
        turns.writeLock().lock();
        try {
            return action.call();
        } finally {
            turns.writeLock().unlock();
        }
    }

    /** Requests answered 200 so far. */
    long answered() {
        return answered.get();
    }

    /** Requests {@code server} (its name) answered so far. */
    long answeredBy(String server) {
        LongAdder count = answeredBy.get(server);
        return count == null ? 0 : count.sum();
    }

    /** Answers other than 200, and requests that got none in time. */
    List<String> errors() {
        return List.copyOf(errors);
    }

    /** Connections that ended before an answer. */
    List<String> cuts() {
        return List.copyOf(cuts);
    }

    /** Stops asking and waits for each client's last request to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread client : clients) {
            client.join();
        }
    }

    @Override
    public String toString() {
        return answered + " answered " + answeredBy + ", errors " + errors + ", cut " + cuts;
    }
}
