package org.streamprox.proxy.config;

/** A configuration that cannot be used; the message names the file, the line and the field. */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }
}
