import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Many viewers of the motion-JPEG stream, for the benchmark's frame-rate figure.
 *
 * <p>{@code java MjpegViewers.java PORT PATH VIEWERS SETTLE_SECONDS SECONDS}: opens VIEWERS WebSocket connections
 * to 127.0.0.1:PORT/PATH, lets them run SETTLE_SECONDS, then counts for SECONDS the frames each viewer receives.
 * Frames are attributed by the timestamp the server wrote into them, not by arrival, so a frame rendered in the
 * window counts even if it arrives just after (up to {@link #GRACE_MILLIS} late), and a frame rendered by the
 * server but missing at a viewer is a dropped frame. Prints {@code measuring} when the window opens,
 * {@code window-end} when it closes (the benchmark samples the proxy's CPU time at both), then one line:
 * {@code MJPEGRESULT viewers fps_p50 fps_p5 rendered_fps dropped_pct lag_p50_ms lag_p99_ms failures message_bytes}
 * where rendered_fps counts the distinct frames any viewer received, dropped_pct the share of rendered frames a
 * viewer missed, lag the arrival time minus the frame's timestamp, failures the viewers that could not connect
 * or were disconnected.
 *
 * <p>A java.net.http.WebSocket per viewer would decode every ~25 KB message into a string on the machine's
 * two cores; one selector thread that parses frame headers and skips payloads costs the proxy far less.
 */
public final class MjpegViewers {

    private static final long GRACE_MILLIS = 2000;
    /** Enough of a message for {@code {"timestamp": "2026-11-25T10:00:00.123Z"}. */
    private static final int PREFIX_BYTES = 64;

    public static void main(String[] args) throws Exception {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        String path = args[1];
        int count = Integer.parseInt(args[2]);
        long settleMillis = Long.parseLong(args[3]) * 1000;
        long windowMillis = Long.parseLong(args[4]) * 1000;

        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        List<Viewer> viewers = new ArrayList<>(count);
        int failures = 0;
        try (Selector selector = Selector.open()) {
            // Send every handshake first, then read the answers: the server works on them meanwhile.
            for (int i = 0; i < count; i++) {
                try {
                    viewers.add(new Viewer(SocketChannel.open(address), path));
                } catch (IOException e) {
                    failures++;
                    System.err.println("viewer " + i + ": " + e);
                }
            }
            for (Viewer viewer : viewers) {
                try {
                    viewer.finishHandshake(buffer);
                    viewer.channel.configureBlocking(false);
                    viewer.channel.register(selector, SelectionKey.OP_READ, viewer);
                } catch (IOException e) {
                    viewer.fail("handshake: " + e.getMessage());
                }
            }

            Window window = Window.of(System.currentTimeMillis() + settleMillis, windowMillis);
            boolean announcedStart = false;
            boolean announcedEnd = false;
            while (true) {
                long now = System.currentTimeMillis();
                if (!announcedStart && now >= window.start) {
                    System.out.println("measuring");
                    System.out.flush();
                    announcedStart = true;
                }
                if (!announcedEnd && now >= window.end) {
                    System.out.println("window-end");
                    System.out.flush();
                    announcedEnd = true;
                }
                if (now >= window.end + GRACE_MILLIS) {
                    break;
                }
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Viewer) key.attachment()).read(buffer, window);
                }
                selector.selectedKeys().clear();
            }
            for (Viewer viewer : viewers) {
                failures += viewer.failed ? 1 : 0;
                viewer.channel.close();
            }
            System.out.println(result(viewers, count, failures, window));
        }
    }

    /** The result line; each viewer that never connected counts as a viewer with no frames. */
    private static String result(List<Viewer> viewers, int count, int failures, Window window) {
        double windowSeconds = (window.end - window.start) / 1000.0;
        Set<Long> rendered = new HashSet<>();
        long[] lags = new long[0];
        double[] fps = new double[count];
        long delivered = 0;
        long messages = 0;
        long messageBytes = 0;
        for (int i = 0; i < viewers.size(); i++) {
            Viewer viewer = viewers.get(i);
            rendered.addAll(viewer.framesInWindow);
            fps[i] = viewer.framesInWindow.size() / windowSeconds;
            delivered += viewer.framesInWindow.size();
            int at = lags.length;
            lags = Arrays.copyOf(lags, at + viewer.lagCount);
            System.arraycopy(viewer.lags, 0, lags, at, viewer.lagCount);
            messages += viewer.messages;
            messageBytes += viewer.messageBytes;
        }
        Arrays.sort(fps);
        Arrays.sort(lags);
        double dropped = rendered.isEmpty() ? 100 : 100.0 * (1 - (double) delivered / ((long) rendered.size() * count));
        return String.format("MJPEGRESULT %d %.2f %.2f %.2f %.2f %d %d %d %d", count, fps[count / 2],
                fps[count * 5 / 100], rendered.size() / windowSeconds, dropped, percentile(lags, 50),
                percentile(lags, 99), failures, messages == 0 ? 0 : messageBytes / messages);
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
    }

    /** Wall-clock bounds of the counting window, against which frame timestamps are compared. */
    private record Window(long start, long end) {
        static Window of(long start, long lengthMillis) {
            return new Window(start, start + lengthMillis);
        }

        boolean contains(long millis) {
            return millis >= start && millis < end;
        }
    }

    /** One WebSocket connection and its frame parser (server frames are never masked). */
    private static final class Viewer {

        final SocketChannel channel;
        final Set<Long> framesInWindow = new HashSet<>();
        long[] lags = new long[256];
        int lagCount;
        long messages;
        long messageBytes;
        boolean failed;

        private final byte[] header = new byte[14];
        private int headerHave;
        private int headerNeed = 2;
        private long payloadLeft;
        private boolean finalFrame;
        private int opcode;
        private final byte[] prefix = new byte[PREFIX_BYTES];
        private int prefixHave;
        private long currentBytes;

        Viewer(SocketChannel channel, String path) throws IOException {
            this.channel = channel;
            String key = "dGhlIHNhbXBsZSBub25jZQ==";   // any 16 bytes in base64; the answer is not checked
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        }

        /** Reads the 101 answer (blocking); frame bytes that came with it go to the parser. */
        void finishHandshake(ByteBuffer buffer) throws IOException {
            buffer.clear();
            int end;
            while ((end = headEnd(buffer)) < 0) {
                if (!buffer.hasRemaining() || channel.read(buffer) < 0) {
                    throw new IOException("no complete answer to the upgrade request");
                }
            }
            byte[] status = new byte[12];
            buffer.get(0, status);
            if (!new String(status, StandardCharsets.US_ASCII).equals("HTTP/1.1 101")) {
                throw new IOException("answered " + new String(status, StandardCharsets.US_ASCII));
            }
            buffer.flip().position(end);
            parse(buffer, null);
        }

        private static int headEnd(ByteBuffer buffer) {
            for (int i = 3; i < buffer.position(); i++) {
                if (buffer.get(i - 3) == '\r' && buffer.get(i - 2) == '\n' && buffer.get(i - 1) == '\r'
                        && buffer.get(i) == '\n') {
                    return i + 1;
                }
            }
            return -1;
        }

        void read(ByteBuffer buffer, Window window) {
            try {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    fail("closed by the server");
                    return;
                }
                buffer.flip();
                parse(buffer, window);
            } catch (IOException e) {
                fail(e.getMessage());
            }
        }

        void fail(String why) {
            if (!failed) {
                failed = true;
                System.err.println("viewer lost: " + why);
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already counted as failed.
            }
        }

        /** Consumes frame bytes; whole text messages stamped inside {@code window} (null: none yet) are counted. */
        private void parse(ByteBuffer bytes, Window window) throws IOException {
            while (bytes.hasRemaining()) {
                if (headerHave < headerNeed) {
                    header[headerHave++] = bytes.get();
                    if (headerHave == 2) {
                        int length = header[1] & 0x7f;
                        headerNeed = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0);
                    }
                    if (headerHave == headerNeed) {
                        startPayload(window);
                    }
                    continue;
                }
                int take = (int) Math.min(bytes.remaining(), payloadLeft);
                int copy = Math.min(take, prefix.length - prefixHave);
                if (copy > 0) {
                    bytes.get(prefix, prefixHave, copy);
                    prefixHave += copy;
                }
                bytes.position(bytes.position() + take - copy);
                payloadLeft -= take;
                currentBytes += take;
                if (payloadLeft == 0) {
                    endFrame(window);
                }
            }
        }

        private void startPayload(Window window) throws IOException {
            finalFrame = (header[0] & 0x80) != 0;
            int frameOpcode = header[0] & 0x0f;
            if (frameOpcode == 8) {
                throw new IOException("close frame from the server");
            }
            if (frameOpcode != 0) {
                opcode = frameOpcode;
            }
            int length = header[1] & 0x7f;
            payloadLeft = length < 126 ? length : 0;
            for (int i = 2; i < headerNeed; i++) {
                payloadLeft = (payloadLeft << 8) | (header[i] & 0xff);
            }
            if (payloadLeft == 0) {
                endFrame(window);
            }
        }

        private void endFrame(Window window) {
            headerHave = 0;
            headerNeed = 2;
            if (!finalFrame) {
                return;
            }
            if (opcode == 1) {
                messages++;
                messageBytes += currentBytes;
                if (window != null) {
                    frameArrived(timestamp(), window);
                }
            }
            prefixHave = 0;
            currentBytes = 0;
        }

        private void frameArrived(long stamped, Window window) {
            if (!window.contains(stamped)) {
                return;
            }
            framesInWindow.add(stamped);
            if (lagCount == lags.length) {
                lags = Arrays.copyOf(lags, 2 * lagCount);
            }
            lags[lagCount++] = System.currentTimeMillis() - stamped;
        }

        /** The frame's {@code "timestamp"} in epoch milliseconds, or -1 when the message has none. */
        private long timestamp() {
            String text = new String(prefix, 0, prefixHave, StandardCharsets.US_ASCII);
            int open = text.indexOf("\"timestamp\": \"");
            int close = open < 0 ? -1 : text.indexOf('"', open + 14);
            return close < 0 ? -1 : Instant.parse(text.substring(open + 14, close)).toEpochMilli();
        }
    }
}
