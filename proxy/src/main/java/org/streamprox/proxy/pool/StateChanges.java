package org.streamprox.proxy.pool;

/** Told once of every change in whether a pool's server takes new connections, with the reason. */
@FunctionalInterface
public interface StateChanges {

    void changed(Member member, String reason);
}
