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

/** Collects the lines one logger writes during one test, whatever their level. */
public class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private final String loggerName;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** @param loggerName a logger's name; a class's logger is named after the class */
    public LogCapture(String loggerName) {
        this.loggerName = loggerName;
    }

    public LogCapture(Class<?> loggingClass) {
        this(loggingClass.getName());
    }

    private Logger logger() {
        return (Logger) LoggerFactory.getLogger(loggerName);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.start();
        logger().addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger().detachAppender(appender);
        appender.stop();
    }

    /** The lines so far, formatted. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The lines so far containing all the texts. */
    public List<String> linesContaining(String... texts) {
        return lines().stream().filter(line -> Arrays.stream(texts).allMatch(line::contains)).toList();
    }

    /**
     * Waits until a line containing all the texts is written (a connection's line comes when it finishes, which may
     * be after its client has seen the end), and returns the first such line.
     */
    public String awaitLineContaining(String... texts) {
        try {
            return await().atMost(Duration.ofSeconds(10))
                    .until(() -> linesContaining(texts).stream().findFirst(), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no line of " + loggerName + " with " + Arrays.toString(texts) + "; the lines: "
                    + lines(), e);
        }
    }
}
