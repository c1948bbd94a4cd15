package org.streamprox.testkit;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** Collects the access-log lines written during one test. */
public final class AccessLogCapture implements BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private static Logger accessLogger() {
        return (Logger) LoggerFactory.getLogger("streamprox.access");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.start();
        accessLogger().addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        accessLogger().detachAppender(appender);
        appender.stop();
    }

    /** The lines so far, formatted. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /**
     * Waits until a line containing all the texts is written (a connection's line comes when it finishes, which may
     * be after its client has seen the end), and returns the first such line.
     */
    public String awaitLineContaining(String... texts) {
        try {
            return await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines().stream().filter(line -> Arrays.stream(texts).allMatch(line::contains))
                            .findFirst(), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no access-log line with " + Arrays.toString(texts) + "; the lines: " + lines(),
                    e);
        }
    }
}
