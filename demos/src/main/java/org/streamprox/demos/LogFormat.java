package org.streamprox.demos;

import java.util.Locale;

/**
 * How the runnable writes its log on standard output: text lines, or JSON lines in which the access log's lines
 * carry each field apart. logback.xml chooses the encoder from {@value #PROPERTY}, a system property or else an
 * environment variable.
 */
enum LogFormat {
    TEXT, JSON;

    /** The name logback.xml reads the format under. */
    static final String PROPERTY = "STREAMPROX_LOG_FORMAT";

    /**
     * Makes this the format of every line. logback reads the property once, when it configures itself on the first
     * logger made, so this must come before anything logs.
     */
    void use() {
        System.setProperty(PROPERTY, toString());
    }

    /** As logback.xml and the command line write it: {@code text}, {@code json}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
