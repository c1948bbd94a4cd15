package org.streamprox.proxy.local;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects the access-log lines written while it is open. */
public final class AccessLogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("streamprox.access");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public AccessLogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    public synchronized List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
