package org.streamprox.apps.host;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * Jetty's buffer pool for the local apps, bounded, and emptied once the apps have gone a whole period without asking
 * for a buffer: the buffers a flood of connections left in it would otherwise stay resident for good, since Jetty's
 * pool never shrinks. A busy pool keeps its buffers, so steady traffic allocates none.
 */
final class IdleEmptiedBufferPool extends ArrayByteBufferPool {

    /** Set by each acquire; only written when it was clear, so acquires do not all write one shared field. */
    private volatile boolean acquired;

    /** @param retainedBytes free buffers kept at most, for heap and direct buffers each */
    IdleEmptiedBufferPool(long retainedBytes) {
        super(0, -1, -1, Integer.MAX_VALUE, retainedBytes, retainedBytes);
    }

    @Override
    public RetainableByteBuffer.Mutable acquire(int size, boolean direct) {
        if (!acquired) {
            acquired = true;
        }
        return super.acquire(size, direct);
    }

    /**
     * Call once per period: empties the pool if nothing was acquired since the last call. A buffer in use at that
     * moment may join the pool when released, and goes at the next period without an acquire.
     */
    void emptyIfUnused() {
        if (acquired) {
            acquired = false;
        } else {
            clear();
        }
    }
}
