import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds N idle connections open through a proxy, for the benchmark's memory-per-connection figure.
 *
 * <p>{@code java IdleConnections.java PROXY_PORT HOLD_PORT N}: listens on 127.0.0.1:HOLD_PORT as the upstream
 * the proxy routes {@code /idle} to, opens N client connections to 127.0.0.1:PROXY_PORT and sends each a
 * {@code GET /idle} head, and waits until the upstream side has accepted N connections and received each head
 * in full, so every connection is proxied end to end. The upstream never answers, so all 2N sockets stay idle.
 * Then it prints {@code ready N} and holds everything until its standard input closes.
 */
public final class IdleConnections {

    private static final byte[] HEAD = "GET /idle HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long DEADLINE_SECONDS = 120;

    public static void main(String[] args) throws Exception {
        int proxyPort = Integer.parseInt(args[0]);
        int holdPort = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        List<Socket> open = new ArrayList<>(2 * count);
        CountDownLatch headsArrived = new CountDownLatch(count);
        try (ServerSocket hold = new ServerSocket()) {
            hold.setReuseAddress(true);
            hold.bind(new InetSocketAddress("127.0.0.1", holdPort), 4096);
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> accept(hold, count, open, headsArrived));
            for (int i = 0; i < count; i++) {
                Socket client = new Socket("127.0.0.1", proxyPort);
                client.getOutputStream().write(HEAD);
                synchronized (open) {
                    open.add(client);
                }
            }
            if (!headsArrived.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("only " + (count - headsArrived.getCount()) + " of " + count
                        + " heads reached the upstream within " + DEADLINE_SECONDS + " s");
                System.exit(1);
            }
            acceptor.join();
            System.out.println("ready " + count);
            System.out.flush();
            while (System.in.read() >= 0) {
                // Hold the connections until the benchmark has measured and closes our input.
            }
        } finally {
            synchronized (open) {
                for (Socket socket : open) {
                    socket.close();
                }
            }
        }
    }

    /** Accepts the proxied connections; a virtual thread per connection reads its head. */
    private static void accept(ServerSocket hold, int count, List<Socket> open, CountDownLatch headsArrived) {
        try {
            for (int i = 0; i < count; i++) {
                Socket upstream = hold.accept();
                synchronized (open) {
                    open.add(upstream);
                }
                Thread.ofVirtual().start(() -> readHead(upstream, headsArrived));
            }
        } catch (IOException e) {
            System.err.println("accepting proxied connections failed: " + e);
            System.exit(1);
        }
    }

    private static void readHead(Socket upstream, CountDownLatch headsArrived) {
        try {
            InputStream in = upstream.getInputStream();
            byte[] received = in.readNBytes(HEAD.length);
            if (Arrays.equals(received, HEAD)) {
                headsArrived.countDown();
            } else {
                System.err.println("a proxied connection delivered " + received.length + " other bytes than the head");
            }
        } catch (IOException e) {
            System.err.println("reading a proxied head failed: " + e);
        }
    }
}
