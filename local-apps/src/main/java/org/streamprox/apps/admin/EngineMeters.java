package org.streamprox.apps.admin;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's counters read back by name, as the metrics contract names them (docs/operations.md, "Metrics"),
 * summed over their labels. A counter the engine has not registered (yet) reads 0, so the status page shows what
 * there is.
 */
final class EngineMeters {

    static final String CONNECTIONS = "streamprox.connections";
    static final String RECEIVED = "streamprox.client.received";
    static final String SENT = "streamprox.client.sent";
    static final String REFUSALS = "streamprox.refusals";
    static final String RELOADS = "streamprox.reloads";

    private final MeterRegistry registry;

    EngineMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The counter's total over all its labels. */
    double total(String name) {
        return registry.find(name).meters().stream().mapToDouble(EngineMeters::count).sum();
    }

    /** The counter's totals by the value of one label, in the label's order; values never counted are absent. */
    Map<String, Double> totalsBy(String name, String label) {
        Map<String, Double> totals = new TreeMap<>();
        for (Meter meter : registry.find(name).meters()) {
            String value = meter.getId().getTag(label);
            if (value != null) {
                totals.merge(value, count(meter), Double::sum);
            }
        }
        totals.values().removeIf(total -> total == 0);
        return totals;
    }

    /** A counter's count, whether the engine made it a counter or a function counter. */
    private static double count(Meter meter) {
        for (Measurement measurement : meter.measure()) {
            if (measurement.getStatistic() == Statistic.COUNT) {
                return measurement.getValue();
            }
        }
        return 0;
    }
}
