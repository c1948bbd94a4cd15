package org.streamprox.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Platform threads started after a snapshot and still alive. Virtual threads do not show up here.
 */
public final class ThreadLeakCheck {

    /** Threads the JDK starts on first use of a feature and keeps for good, and the test tooling's. */
    private static final List<String> IGNORED_PREFIXES = List.of("ForkJoinPool", "VirtualThread-unblocker",
            "MasterPoller", "Java2D Disposer", "process reaper", "Attach Listener", "awaitility", "surefire");

    private final Set<Thread> before;

    private ThreadLeakCheck(Set<Thread> before) {
        this.before = before;
    }

    public static ThreadLeakCheck snapshot() {
        return new ThreadLeakCheck(Thread.getAllStackTraces().keySet());
    }

    /** Fails unless every thread started since the snapshot has ended within the timeout. */
    public void awaitNoneLeaked(Duration timeout) {
        await("no leaked threads").atMost(timeout).until(this::leaked, List::isEmpty);
    }

    private List<String> leaked() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.isAlive())
                .map(Thread::getName)
                .filter(name -> IGNORED_PREFIXES.stream().noneMatch(name::startsWith))
                .collect(Collectors.toList());
    }
}
