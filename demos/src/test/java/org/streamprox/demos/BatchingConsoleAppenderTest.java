package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();

    {
        // Set by SLF4J's provider in a running program; needed here to freeze events for the writer thread.
        context.setMDCAdapter(new LogbackMDCAdapter());
    }
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final AtomicInteger writeCalls = new AtomicInteger();

    @Test
    void linesFromManyThreadsArriveWholeInOrderAndInFewWrites() throws InterruptedException {
        BatchingConsoleAppender appender = started(8192, 50);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            String thread = "t" + t;
            threads.add(Thread.ofPlatform().start(() -> IntStream.range(0, 100)
                    .forEach(i -> appender.doAppend(event(thread + " " + i)))));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        appender.stop();

        List<String> lines = lines();
        assertEquals(1000, lines.size());
        for (int t = 0; t < 10; t++) {
            String thread = "t" + t;
            List<String> own = lines.stream().filter(line -> line.startsWith(thread + " ")).toList();
            assertEquals(IntStream.range(0, 100).mapToObj(i -> thread + " " + i).toList(), own);
        }
        assertTrue(writeCalls.get() <= 100, "1000 lines took " + writeCalls.get() + " writes");
    }

    @Test
    void stopWritesOutWhatIsStillQueued() {
        BatchingConsoleAppender appender = started(8192, 60_000);
        appender.doAppend(event("first"));
        appender.doAppend(event("second"));
        appender.stop();

        assertEquals(List.of("first", "second"), lines());
    }

    @Test
    void aFullQueueMakesLoggingWaitInsteadOfDropping() {
        BatchingConsoleAppender appender = started(2, 1);
        IntStream.range(0, 500).forEach(i -> appender.doAppend(event("line " + i)));
        appender.stop();

        assertEquals(IntStream.range(0, 500).mapToObj(i -> "line " + i).toList(), lines());
    }

    @Test
    @Timeout(10) // a dead writer would leave the logging thread waiting on a full queue for ever
    void aLineThatCannotBeFormattedIsSkippedAndTheWriterGoesOn() {
        PatternLayoutEncoder failingOnBad = new PatternLayoutEncoder() {
            @Override
            public byte[] encode(ILoggingEvent event) {
                if (event.getMessage().equals("bad")) {
                    throw new IllegalStateException("cannot format");
                }
                return super.encode(event);
            }
        };
        BatchingConsoleAppender appender = started(2, 1, failingOnBad);
        IntStream.range(0, 10).forEach(i -> appender.doAppend(event(i == 3 ? "bad" : "line " + i)));
        appender.stop();

        assertEquals(IntStream.range(0, 10).filter(i -> i != 3).mapToObj(i -> "line " + i).toList(), lines());
    }

    private BatchingConsoleAppender started(int queueSize, long batchMillis) {
        return started(queueSize, batchMillis, new PatternLayoutEncoder());
    }

    private BatchingConsoleAppender started(int queueSize, long batchMillis, PatternLayoutEncoder encoder) {
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BatchingConsoleAppender appender = new BatchingConsoleAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setBatchMillis(batchMillis);
        appender.setTarget(new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] bytes, int offset, int length) {
                writeCalls.incrementAndGet();
                output.write(bytes, offset, length);
            }
        });
        appender.start();
        return appender;
    }

    private LoggingEvent event(String message) {
        return new LoggingEvent(getClass().getName(), context.getLogger("test"), Level.INFO, message, null, null);
    }

    private List<String> lines() {
        String text = output.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }
}
