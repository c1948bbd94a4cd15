package org.streamprox.demos;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;

/**
 * Lets the heap follow the load down. G1 gives unused heap back to the operating system only when it collects, and an
 * idle proxy allocates nothing, so nothing is collected: after a flood the heap it grew stayed resident for good.
 * G1's periodic collection fixes that, and its interval is a manageable option a running JVM may set, so the command
 * line sets it here when the JVM runs G1 and nobody chose the interval: the bare {@code java -jar streamprox.jar}
 * gets it too. What only the java command line can set (heap bounds, native-heap trimming) the launcher and the
 * container image set; docs/operations.md ("Memory") has the measurements.
 */
final class IdleHeapCollection {

    static final String OPTION = "G1PeriodicGCInterval";
    /** An idle proxy collects, and shrinks its heap, once per this many milliseconds without a collection. */
    static final long INTERVAL_MILLIS = 10_000;

    private IdleHeapCollection() {
    }

    /**
     * Sets the interval when {@link #applies} says so.
     *
     * @return whether it set it
     */
    static boolean enable() {
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (LinkageError | RuntimeException e) {
            // A Java runtime linked without jdk.management, or not HotSpot: nothing to tune.
            return false;
        }
        if (vm == null || !applies(vm)) {
            return false;
        }
        vm.setVMOption(OPTION, Long.toString(INTERVAL_MILLIS));
        return true;
    }

    /** G1 is the collector, and the interval is still the JVM's default: an operator's choice, even 0, stands. */
    static boolean applies(HotSpotDiagnosticMXBean vm) {
        try {
            VMOption interval = vm.getVMOption(OPTION);
            return Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())
                    && interval.getOrigin() == VMOption.Origin.DEFAULT && interval.isWriteable();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
