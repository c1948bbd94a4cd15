package org.streamprox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A real TCP server on 127.0.0.1 standing in for an upstream: each accepted connection runs the given handler
 * on its own virtual thread. Closing the server closes every connection it still has.
 */
public final class LoopbackServer implements AutoCloseable {

    /** What the server does with one connection; the socket is closed after it returns. */
    @FunctionalInterface
    public interface Handler {
        void handle(Socket socket) throws Exception;
    }

    private final ServerSocket serverSocket;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread.Builder threads;
    private final Thread acceptLoop;

    private LoopbackServer(Handler handler, Thread.Builder threads) throws IOException {
        this(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()), handler, threads);
    }

    private LoopbackServer(ServerSocket serverSocket, Handler handler, Thread.Builder threads) {
        this.serverSocket = serverSocket;
        this.threads = threads;
        acceptLoop = threads.name("loopback-server").start(() -> acceptAll(handler));
    }

    public static LoopbackServer start(Handler handler) throws IOException {
        return new LoopbackServer(handler, Thread.ofVirtual());
    }

    /**
     * A server on a port chosen by the test, so that one stopped can be started again where its clients expect it.
     *
     * @throws java.net.BindException when the port is taken
     */
    public static LoopbackServer on(int port, Handler handler) throws IOException {
        return on(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), handler);
    }

    /**
     * A server on another loopback address, such as {@code 127.0.0.2} (all of 127.0.0.0/8 is this machine's on
     * Linux), as a server that moved to another machine would be; port 0 for any free one.
     *
     * @throws java.net.BindException when the port is taken
     */
    public static LoopbackServer on(InetSocketAddress address, Handler handler) throws IOException {
        return new LoopbackServer(new ServerSocket(address.getPort(), 1024, address.getAddress()), handler,
                Thread.ofVirtual());
    }

    /** A TLS server: the handler gets each connection's socket once its handshake is done. */
    public static LoopbackServer tls(SSLContext context, Handler handler) throws IOException {
        ServerSocket serverSocket = context.getServerSocketFactory().createServerSocket(0, 1024,
                InetAddress.getLoopbackAddress());
        return new LoopbackServer(serverSocket, socket -> {
            ((SSLSocket) socket).startHandshake();
            handler.handle(socket);
        }, Thread.ofVirtual());
    }

    /**
     * A server on {@code address} ({@link #on}) that answers every HTTP request with its IP address as the body, until
     * one asks it to close: which server a connection reached.
     */
    public static LoopbackServer namingItself(InetSocketAddress address) throws IOException {
        String name = address.getAddress().getHostAddress();
        return on(address, socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String head;
            do {
                head = Http.readHead(in);
                out.write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + name.length() + "\r\n\r\n" + name));
                out.flush();
            } while (!"close".equalsIgnoreCase(Http.field(head, "Connection")));
        });
    }

    /** Writes back every byte it reads, and half-closes when the client does. */
    public static LoopbackServer echo() throws IOException {
        return start(LoopbackServer::echo);
    }

    /**
     * {@link #echo()} on platform threads, as a server in another process would be: when the engine's virtual threads
     * are queued up under a flood, the upstream's are not queued behind them.
     */
    public static LoopbackServer echoOnPlatformThreads() throws IOException {
        return new LoopbackServer(LoopbackServer::echo, Thread.ofPlatform().daemon());
    }

    private static void echo(Socket socket) throws IOException {
        socket.getInputStream().transferTo(socket.getOutputStream());
        socket.shutdownOutput();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(serverSocket.getInetAddress(), port());
    }

    public int acceptedConnections() {
        return accepted.get();
    }

    private void acceptAll(Handler handler) {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(socket);
            threads.name("loopback-connection").start(() -> {
                try (socket) {
                    handler.handle(socket);
                } catch (Exception e) {
                    // The test asserts what it expects from the client side; a peer going away is normal here.
                } finally {
                    open.remove(socket);
                }
            });
        }
    }

    @Override
    public void close() throws Exception {
        serverSocket.close();
        acceptLoop.join();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
