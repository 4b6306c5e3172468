package io.auditwatch.alerting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compares what a {@code *Metrics} class registered with what it declares: every {@code auditwatch.}
 * meter in the registry is declared with the same type, unit, label keys and doc, and every
 * declaration was registered. Tests call every method that registers on first use before checking.
 */
public final class MeterDocCheck {
    private MeterDocCheck() {
    }

    /** The differences, one line each; empty when registry and declarations agree. */
    public static List<String> mismatches(MeterRegistry registry, List<MeterDoc> declared) {
        Map<String, MeterDoc> byName = declared.stream().collect(Collectors.toMap(MeterDoc::name, Function.identity()));
        List<String> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Meter m : registry.getMeters()) {
            Meter.Id id = m.getId();
            if (!id.getName().startsWith("auditwatch.")) {
                continue;
            }
            MeterDoc d = byName.get(id.getName());
            if (d == null && isSloBucketGauge(id.getName(), byName)) {
                continue;
            }
            if (d == null) {
                out.add(id.getName() + " is registered but not declared");
                continue;
            }
            seen.add(d.name());
            Meter.Type type = m instanceof Counter || m instanceof FunctionCounter ? Meter.Type.COUNTER
                    : m instanceof Gauge ? Meter.Type.GAUGE : m instanceof Timer ? Meter.Type.TIMER : id.getType();
            if (type != d.type()) {
                out.add(d.name() + " is a " + type + ", declared " + d.type());
            }
            Set<String> keys = id.getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
            if (!keys.equals(d.tags().keySet())) {
                out.add(d.name() + " has labels " + keys + ", declared " + d.tags().keySet());
            }
            if (!d.doc().equals(id.getDescription())) {
                out.add(d.name() + " has description '" + id.getDescription() + "', declared '" + d.doc() + "'");
            }
            if (type != Meter.Type.TIMER && !java.util.Objects.equals(d.baseUnit(), id.getBaseUnit())) {
                out.add(d.name() + " has base unit " + id.getBaseUnit() + ", declared " + d.baseUnit());
            }
        }
        for (MeterDoc d : declared) {
            if (!seen.contains(d.name())) {
                out.add(d.name() + " is declared but was not registered");
            }
        }
        return out;
    }

    /** The simple registry shows a timer's SLO buckets as {@code <name>.histogram} gauges, not meters of their own. */
    private static boolean isSloBucketGauge(String name, Map<String, MeterDoc> byName) {
        MeterDoc timer = name.endsWith(".histogram") ? byName.get(name.substring(0, name.length() - ".histogram".length())) : null;
        return timer != null && timer.type() == Meter.Type.TIMER;
    }
}
