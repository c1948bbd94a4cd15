package org.streamprox.apps.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.junit.jupiter.api.Test;

/** What the local apps' Jetty keeps for itself between connections. */
class JettyLocalAppsTest {

    @Test
    void jettysBufferPoolKeepsNoMoreThanItsBoundOnceABurstOfBuffersIsReleased() {
        ArrayByteBufferPool pool = (ArrayByteBufferPool) new JettyLocalApps().server().getByteBufferPool();
        for (boolean direct : new boolean[] {true, false}) {
            // As many 16 KiB input buffers at once as 2,000 concurrent connections take: 31 MiB.
            List<? extends RetainableByteBuffer> taken = IntStream.range(0, 2_000)
                    .mapToObj(i -> pool.acquire(16 * 1024, direct)).toList();
            taken.forEach(RetainableByteBuffer::release);
            long kept = direct ? pool.getDirectMemory() : pool.getHeapMemory();
            assertTrue(kept > 0 && kept <= JettyLocalApps.RETAINED_BUFFER_BYTES,
                    (direct ? "direct" : "heap") + " bytes kept: " + kept);
        }
    }
}
