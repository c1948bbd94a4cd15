package org.streamprox.testkit;

/** Collects the access-log lines written during one test. */
public final class AccessLogCapture extends LogCapture {

    public AccessLogCapture() {
        super("streamprox.access");
    }
}
