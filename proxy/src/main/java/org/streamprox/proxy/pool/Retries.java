package org.streamprox.proxy.pool;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How far a new connection goes on when a server cannot be connected to: at most {@code tries} servers, each
 * once, within {@code budget} in all. Nothing is retried once a byte went to a server.
 *
 * @param tries  empty for every server of the pool
 * @param budget empty for the connect timeout times the tries
 */
public record Retries(OptionalInt tries, Optional<Duration> budget) {

    public static final Retries EVERY_SERVER_ONCE = new Retries(OptionalInt.empty(), Optional.empty());

    public Retries {
        Objects.requireNonNull(tries, "tries");
        Objects.requireNonNull(budget, "budget");
        if (tries.isPresent() && tries.getAsInt() < 1) {
            throw new IllegalArgumentException("tries is at least 1");
        }
        if (budget.isPresent() && (budget.get().isNegative() || budget.get().isZero())) {
            throw new IllegalArgumentException("a connect budget is longer than zero");
        }
    }
}
