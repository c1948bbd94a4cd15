import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The least a proxy built to StreamProx's fixed design can do, as a floor to measure StreamProx against: a blocking
 * accept loop, a virtual thread per connection that reads until the end of the request head, connects to the one
 * upstream, replays the head, then copies both ways on two virtual threads with 1 KiB buffers. No parsing, routing,
 * limits, timeouts, logging or error answers.
 *
 * <p>{@code java DesignFloor PORT UPSTREAM_PORT}
 */
public final class DesignFloor {

    public static void main(String[] args) throws IOException {
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        InetSocketAddress upstream = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(listen, 1024)) {
            while (true) {
                SocketChannel client = server.accept();
                Thread.ofVirtual().start(() -> serve(client, upstream));
            }
        }
    }

    private static void serve(SocketChannel client, InetSocketAddress address) {
        try (client; SocketChannel upstream = SocketChannel.open(address)) {
            ByteBuffer head = ByteBuffer.allocate(8192);
            do {
                if (client.read(head) < 0) {
                    return;
                }
            } while (!headEnded(head));
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            writeFully(upstream, head.flip());
            Thread downstream = Thread.ofVirtual().start(() -> copy(upstream, client));
            copy(client, upstream);
            downstream.join();
        } catch (IOException | InterruptedException e) {
            // The connection is over.
        }
    }

    private static boolean headEnded(ByteBuffer head) {
        for (int i = 3; i < head.position(); i++) {
            if (head.get(i - 3) == '\r' && head.get(i - 2) == '\n' && head.get(i - 1) == '\r' && head.get(i) == '\n') {
                return true;
            }
        }
        return false;
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        try {
            while (from.read(buffer.clear()) >= 0) {
                writeFully(to, buffer.flip());
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // Both are closed by the connection's thread anyway.
            }
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
