package org.streamprox.demos;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Writes log lines to standard output from one writer thread, in batches: once a line arrives the writer waits
 * {@code batchMillis} for more, then writes all of them with one call. The access log's line per connection is on
 * the hot path; a line-at-a-time writer costs the connection threads a wake-up of the writer and the writer a
 * system call per line, where this costs one of each per batch.
 *
 * <p>Logging threads only enqueue. Nothing is dropped: when {@code queueSize} lines are waiting, a logging thread
 * waits for room. On stop, everything queued is written out.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private Encoder<ILoggingEvent> encoder;
    private OutputStream target = System.out;
    private int queueSize = 8192;
    private long batchMillis = 10;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Where the lines go; standard output unless a test says otherwise. */
    void setTarget(OutputStream target) {
        this.target = target;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** How long the writer lets lines gather after the first one, bounding how late a line appears. */
    public void setBatchMillis(long batchMillis) {
        this.batchMillis = batchMillis;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("No encoder set for appender " + name);
            return;
        }
        queue = new LinkedBlockingQueue<>(queueSize);
        writer = Thread.ofPlatform().daemon().name("log-writer-" + name).start(this::writeBatches);
        super.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        writer.interrupt();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        // Fix the message, thread name and MDC now: the writer formats the line later, on another thread.
        event.prepareForDeferredProcessing();
        try {
            queue.put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeBatches() {
        List<ILoggingEvent> batch = new ArrayList<>();
        ByteArrayOutputStream lines = new ByteArrayOutputStream(64 * 1024);
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
                Thread.sleep(batchMillis);
            } catch (InterruptedException e) {
                stopping = true;  // stop() asks; write out what is queued, then end
            }
            queue.drainTo(batch);
            write(batch, lines);
        }
    }

    private void write(List<ILoggingEvent> batch, ByteArrayOutputStream lines) {
        if (batch.isEmpty()) {
            return;
        }
        for (ILoggingEvent event : batch) {
            // One line that cannot be formatted must not end the writer: loggers would then wait on a full queue.
            try {
                lines.writeBytes(encoder.encode(event));
            } catch (RuntimeException e) {
                addError("Could not format a log line", e);
            }
        }
        batch.clear();
        try {
            lines.writeTo(target);
            target.flush();
        } catch (IOException e) {
            addError("Could not write log lines", e);
        }
        lines.reset();
    }
}
