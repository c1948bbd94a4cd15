package org.streamprox.apps.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.junit.jupiter.api.Test;

/** What the local apps' Jetty keeps for itself between connections. */
class JettyLocalAppsTest {

    private static final int INPUT_BUFFER = 16 * 1024;

    @Test
    void jettysBufferPoolKeepsNoMoreThanItsBoundOnceABurstOfBuffersIsReleased() {
        ArrayByteBufferPool pool = (ArrayByteBufferPool) new JettyLocalApps().server().getByteBufferPool();
        for (boolean direct : new boolean[] {true, false}) {
            // As many 16 KiB input buffers at once as 2,000 concurrent connections take: 31 MiB.
            List<? extends RetainableByteBuffer> taken = IntStream.range(0, 2_000)
                    .mapToObj(i -> pool.acquire(INPUT_BUFFER, direct)).toList();
            taken.forEach(RetainableByteBuffer::release);
            long kept = direct ? pool.getDirectMemory() : pool.getHeapMemory();
            assertTrue(kept > 0 && kept <= JettyLocalApps.RETAINED_BUFFER_BYTES,
                    (direct ? "direct" : "heap") + " bytes kept: " + kept);
        }
    }

    @Test
    void thePoolKeepsItsBuffersWhileUsedAndIsEmptiedAfterAWholePeriodUnused() {
        IdleEmptiedBufferPool pool = new IdleEmptiedBufferPool(JettyLocalApps.RETAINED_BUFFER_BYTES);
        pool.acquire(INPUT_BUFFER, true).release();
        pool.emptyIfUnused();
        assertTrue(pool.getAvailableDirectMemory() > 0, "a buffer was acquired during the period: kept");
        pool.emptyIfUnused();
        assertEquals(0, pool.getDirectMemory(), "nothing acquired during the period: emptied");
    }

    @Test
    void aBufferInUseWhenThePoolIsEmptiedMayComeBackAndGoesAtTheNextUnusedPeriod() {
        IdleEmptiedBufferPool pool = new IdleEmptiedBufferPool(JettyLocalApps.RETAINED_BUFFER_BYTES);
        RetainableByteBuffer inUse = pool.acquire(INPUT_BUFFER, true);
        pool.acquire(INPUT_BUFFER, true).release();
        pool.emptyIfUnused();
        pool.emptyIfUnused();
        inUse.release();
        pool.emptyIfUnused();
        assertEquals(0, pool.getDirectMemory());

        pool.acquire(INPUT_BUFFER, true).release();
        assertTrue(pool.getAvailableDirectMemory() > 0, "still pooling");
    }
}
