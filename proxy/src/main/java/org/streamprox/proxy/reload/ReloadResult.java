package org.streamprox.proxy.reload;

import java.time.Instant;

/**
 * How a reload ended, as the log, the admin listener's {@code POST /reload} and the status page tell it.
 *
 * @param ok      whether the new configuration is in force
 * @param message what changed (the listeners kept, added and removed), or why nothing did (the loader's message,
 *                with the file, line and field)
 * @param at      when it ended
 */
public record ReloadResult(boolean ok, String message, Instant at) {
}
