package org.streamprox.proxy.upstream;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Direct buffers for the copy loops' bursts. A loop borrows one only while data keeps arriving faster than one
 * small read takes it, so idle connections hold none, and reuse spares the cost of allocating off-heap memory
 * for each burst. Lock-free: each slot holds a free buffer or nothing.
 */
public final class BufferPool {

    private final int bufferSize;
    private final AtomicReferenceArray<ByteBuffer> free;

    /**
     * @param bufferSize the size of every buffer
     * @param retained   how many free buffers the pool keeps at most; more are left to the garbage collector
     */
    public BufferPool(int bufferSize, int retained) {
        this.bufferSize = bufferSize;
        this.free = new AtomicReferenceArray<>(retained);
    }

    /** A cleared buffer, reused when one is free. */
    public ByteBuffer take() {
        int start = startSlot();
        for (int i = 0; i < free.length(); i++) {
            ByteBuffer buffer = free.getAndSet((start + i) % free.length(), null);
            if (buffer != null) {
                return buffer.clear();
            }
        }
        return ByteBuffer.allocateDirect(bufferSize);
    }

    /** Returns a buffer taken from this pool; the caller must not use it afterwards. */
    public void give(ByteBuffer buffer) {
        int start = startSlot();
        for (int i = 0; i < free.length(); i++) {
            if (free.compareAndSet((start + i) % free.length(), null, buffer)) {
                return;
            }
        }
    }

    /** Threads start looking in different places, so concurrent loops rarely meet on a slot. */
    private int startSlot() {
        return (int) ((Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L) >>> 33) % free.length();
    }
}
