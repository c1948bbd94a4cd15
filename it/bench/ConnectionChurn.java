import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New connections as fast as they go, one request each: what wrk's Connection: close test does, with a PROXY v1
 * header in the same write as the request when asked (wrk refuses a request that does not start with a method). So
 * a listener that accepts PROXY headers and one that does not are fed the same bytes in the same segments, the
 * header aside.
 *
 * <pre>java ConnectionChurn PORT SECONDS CONNECTIONS [proxy-v1]</pre>
 *
 * Prints {@code CHURN requests failures seconds}.
 */
public final class ConnectionChurn {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        int connections = Integer.parseInt(args[2]);
        boolean proxyHeader = args.length > 3 && args[3].equals("proxy-v1");
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        String request = "GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        byte[] bytes = ((proxyHeader ? "PROXY TCP4 127.0.0.7 127.0.0.1 40000 " + port + "\r\n" : "") + request)
                .getBytes(StandardCharsets.ISO_8859_1);

        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                byte[] buffer = new byte[4096];
                while (System.nanoTime() < end) {
                    try (Socket socket = new Socket()) {
                        socket.connect(target);
                        socket.setSoTimeout(10_000);
                        socket.getOutputStream().write(bytes);
                        InputStream in = socket.getInputStream();
                        // "HTTP/1.1 2": the status line comes in the first read.
                        boolean ok = in.read(buffer) > 9 && buffer[9] == '2';
                        while (in.read(buffer) > 0) {
                            // the rest of the answer, until the proxy closes
                        }
                        (ok ? done : failed).incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf("CHURN %d %d %.3f%n", done.get(), failed.get(), (System.nanoTime() - start) / 1e9);
    }
}
