package org.streamprox.proxy.observe;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.IntSupplier;
import org.streamprox.proxy.pool.Pool;

/**
 * Where the engine keeps its meters: in a Micrometer registry, or nowhere ({@link #OFF}) when StreamProx runs without
 * one (the admin listener off). Off, no meter exists and nothing is recorded: a finished connection costs one empty
 * call.
 */
public interface EngineMetrics {

    EngineMetrics OFF = new EngineMetrics() {

        @Override
        public ListenerMetrics forListener(String listener, IntSupplier admitted) {
            return ListenerMetrics.OFF;
        }

        @Override
        public void poolsInForce(List<Pool> pools) {
        }
    };

    /** Meters in {@code registry}: see {@link ConnectionMetrics} and {@link PoolMeters} for what they are. */
    static EngineMetrics in(MeterRegistry registry) {
        PoolMeters poolMeters = new PoolMeters(registry);
        return new EngineMetrics() {

            @Override
            public ListenerMetrics forListener(String listener, IntSupplier admitted) {
                return new ConnectionMetrics(registry, listener, admitted);
            }

            @Override
            public void poolsInForce(List<Pool> pools) {
                poolMeters.inForce(pools);
            }
        };
    }

    /**
     * The meters of one listener, from when it is bound until it has drained.
     *
     * @param listener its address as the access log writes it ({@code 127.0.0.1:8080}): the {@code listener} label
     * @param admitted how many connections it holds now, those handed to local apps included
     */
    ListenerMetrics forListener(String listener, IntSupplier admitted);

    /**
     * The pools in force from now on, started, at start-up and after each reload: their servers' meters follow
     * them, and those of pools and servers that are gone are removed.
     */
    void poolsInForce(List<Pool> pools);
}
