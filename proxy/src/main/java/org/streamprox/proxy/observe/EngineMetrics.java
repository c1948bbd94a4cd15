package org.streamprox.proxy.observe;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * Where the engine keeps its meters: in a Micrometer registry, or nowhere ({@link #OFF}) when StreamProx runs without
 * one (the admin listener off). Off, no meter exists and nothing is recorded: a finished connection costs one empty
 * call.
 */
@FunctionalInterface
public interface EngineMetrics {

    EngineMetrics OFF = (listener, admitted) -> ListenerMetrics.OFF;

    /** Meters in {@code registry}: see {@link ConnectionMetrics} for what they are. */
    static EngineMetrics in(MeterRegistry registry) {
        return (listener, admitted) -> new ConnectionMetrics(registry, listener, admitted);
    }

    /**
     * The meters of one listener, from when it is bound until it has drained.
     *
     * @param listener its address as the access log writes it ({@code 127.0.0.1:8080}): the {@code listener} label
     * @param admitted how many connections it holds now, those handed to local apps included
     */
    ListenerMetrics forListener(String listener, IntSupplier admitted);
}
