package org.streamprox.apps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The motion-JPEG demo's clock: at a fixed rate, while anyone is watching, renders one frame, encodes it into
 * the bytes of the JSON text message once, and offers those same bytes to every viewer.
 */
final class MjpegStream extends AbstractLifeCycle {

    private static final Logger LOG = LoggerFactory.getLogger(MjpegStream.class);

    private final long periodNanos;
    private final FrameRenderer renderer = new FrameRenderer();
    private final Set<MjpegViewer> viewers = ConcurrentHashMap.newKeySet();
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private Thread ticker;

    MjpegStream(double framesPerSecond) {
        if (!(framesPerSecond > 0 && framesPerSecond <= 1000)) {
            throw new IllegalArgumentException("frames per second must be in (0, 1000], not " + framesPerSecond);
        }
        this.periodNanos = Math.round(TimeUnit.SECONDS.toNanos(1) / framesPerSecond);
    }

    void add(MjpegViewer viewer) {
        viewers.add(viewer);
    }

    void remove(MjpegViewer viewer) {
        viewers.remove(viewer);
    }

    int viewers() {
        return viewers.size();
    }

    /** Frames handed to viewers' connections. */
    long framesSent() {
        return framesSent.get();
    }

    /** Frames skipped for viewers that were still receiving the previous one. */
    long framesDropped() {
        return framesDropped.get();
    }

    @Override
    protected void doStart() {
        ticker = Thread.ofVirtual().name("mjpeg-frames").start(this::tick);
    }

    @Override
    protected void doStop() throws InterruptedException {
        ticker.interrupt();
        ticker.join();
    }

    private void tick() {
        long next = System.nanoTime();
        try {
            while (true) {
                if (!viewers.isEmpty()) {
                    broadcastFrameAt(Instant.now().truncatedTo(ChronoUnit.MILLIS));
                }
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait < 0) {
                    // Behind schedule (a slow machine, a long pause): skip the missed frames, do not burst.
                    next = System.nanoTime();
                    wait = 0;
                }
                Thread.sleep(Duration.ofNanos(wait));
            }
        } catch (InterruptedException e) {
            // Stopped.
        }
    }

    /** One bad frame costs that frame only: the stream goes on at the next tick. */
    private void broadcastFrameAt(Instant at) {
        try {
            broadcast(frameMessage(at));
        } catch (IOException | RuntimeException e) {
            LOG.error("rendering the motion-JPEG frame of {} failed; skipping it", at, e);
        }
    }

    /**
     * The message as a read-only direct buffer: viewers send slices of it, so no viewer encodes or copies it
     * again, and the socket writes straight from it.
     */
    private ByteBuffer frameMessage(Instant at) throws IOException {
        byte[] prefix = ("{\"timestamp\": \"" + at + "\", \"imgdata\": \"").getBytes(StandardCharsets.US_ASCII);
        byte[] image = Base64.getEncoder().encode(renderer.render(at));
        byte[] suffix = "\"}".getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(prefix.length + image.length + suffix.length)
                .put(prefix).put(image).put(suffix).flip().asReadOnlyBuffer();
    }

    private void broadcast(ByteBuffer frame) {
        for (MjpegViewer viewer : viewers) {
            (viewer.offer(frame) ? framesSent : framesDropped).incrementAndGet();
        }
    }
}
