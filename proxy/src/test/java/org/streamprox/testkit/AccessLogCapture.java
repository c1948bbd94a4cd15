package org.streamprox.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
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
}
