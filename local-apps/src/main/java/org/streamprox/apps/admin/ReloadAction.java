package org.streamprox.apps.admin;

/** What {@code POST /reload} on the admin listener does: reload the configuration, and say how that went. */
@FunctionalInterface
public interface ReloadAction {

    /** For a proxy that cannot reload: every request is answered 501. */
    ReloadAction NOT_AVAILABLE = () -> ReloadResult.notAvailable("reload not available");

    ReloadResult reload();
}
