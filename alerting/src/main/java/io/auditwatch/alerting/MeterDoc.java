package io.auditwatch.alerting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The declaration of one meter, in the style of Micrometer's binders: name, type, unit, label keys
 * with their values and a one-line doc, in one place. Every module's {@code *Metrics} class holds a
 * table of these and registers its meters only through them, so a name, unit or description cannot
 * drift from the generated reference ({@code deploy/prometheus/METRICS.md}). It lives in alerting
 * because every other module depends on alerting.
 *
 * <p>Names are Micrometer's dotted names ({@code auditwatch.kafka.publish}); the Prometheus registry
 * renders them with {@code _} and adds the unit and {@code _total}: see {@link #prometheusName()}.
 *
 * @param name Micrometer name, dotted, without unit or {@code _total}
 * @param type {@link Meter.Type#COUNTER}, {@link Meter.Type#GAUGE} or {@link Meter.Type#TIMER}
 * @param unit what one unit of the value is: {@code bytes}, {@code seconds}, or the thing counted
 *     ({@code events}, {@code connections}); {@code 1} for a 0/1 state
 * @param tags label key to a description of its values; values are closed sets, never message
 *     content or addresses (the only open ones are inventory node names, bounded by configuration)
 * @param doc one line, names the unit
 */
public record MeterDoc(String name, Meter.Type type, String unit, Map<String, String> tags, String doc) {

    /** The units Prometheus appends to a name ({@code _bytes}, {@code _seconds}); counted nouns are in the name already. */
    private static final Set<String> BASE_UNITS = Set.of("bytes", "seconds");

    public MeterDoc {
        if (!name.startsWith("auditwatch.") || !name.matches("[a-z0-9.]+")) {
            throw new IllegalArgumentException("meter names are dotted, lower case, under auditwatch.: " + name);
        }
        if (name.endsWith(".bytes") || name.endsWith(".seconds") || name.endsWith(".total")) {
            throw new IllegalArgumentException("the Prometheus registry adds the unit and _total, not the name: " + name);
        }
        if (type != Meter.Type.COUNTER && type != Meter.Type.GAUGE && type != Meter.Type.TIMER) {
            throw new IllegalArgumentException("unsupported meter type " + type + " for " + name);
        }
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    public static MeterDoc counter(String name, String unit, String doc) {
        return new MeterDoc(name, Meter.Type.COUNTER, unit, Map.of(), doc);
    }

    public static MeterDoc gauge(String name, String unit, String doc) {
        return new MeterDoc(name, Meter.Type.GAUGE, unit, Map.of(), doc);
    }

    /** A timer: always in seconds, rendered as a histogram. */
    public static MeterDoc timer(String name, String doc) {
        return new MeterDoc(name, Meter.Type.TIMER, "seconds", Map.of(), doc);
    }

    /** This declaration with one more label, whose values are described in words. */
    public MeterDoc tag(String key, String values) {
        Map<String, String> t = new LinkedHashMap<>(tags);
        t.put(key, values);
        return new MeterDoc(name, type, unit, t, doc);
    }

    /** This declaration with one more label whose values are an enum's, as {@code label} renders them. */
    public <E extends Enum<E>> MeterDoc tag(String key, Class<E> values, Function<E, String> label) {
        return tag(key, Arrays.stream(values.getEnumConstants()).map(label).collect(Collectors.joining(", ")));
    }

    /** The label value of an enum constant when the enum has no label of its own: its name in lower case. */
    public static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The unit Micrometer is told, which the Prometheus registry appends to the name; null for counted things. */
    public String baseUnit() {
        return BASE_UNITS.contains(unit) ? unit : null;
    }

    /** The family name Prometheus shows (text format 0.0.4): {@code _unit} when a base unit, {@code _total} for counters. */
    public String prometheusName() {
        String n = name.replace('.', '_');
        String base = baseUnit();
        if (base != null) {
            n += "_" + base;
        }
        return type == Meter.Type.COUNTER ? n + "_total" : n;
    }

    public Counter.Builder counter() {
        expect(Meter.Type.COUNTER);
        return Counter.builder(name).description(doc).baseUnit(baseUnit());
    }

    public <T> FunctionCounter.Builder<T> functionCounter(T obj, ToDoubleFunction<T> value) {
        expect(Meter.Type.COUNTER);
        return FunctionCounter.builder(name, obj, value).description(doc).baseUnit(baseUnit());
    }

    public <T> Gauge.Builder<T> gauge(T obj, ToDoubleFunction<T> value) {
        expect(Meter.Type.GAUGE);
        return Gauge.builder(name, obj, value).description(doc).baseUnit(baseUnit());
    }

    public Gauge.Builder<Supplier<Number>> gauge(Supplier<Number> value) {
        expect(Meter.Type.GAUGE);
        return Gauge.builder(name, value).description(doc).baseUnit(baseUnit());
    }

    public Timer.Builder timer() {
        expect(Meter.Type.TIMER);
        return Timer.builder(name).description(doc);
    }

    private void expect(Meter.Type t) {
        if (type != t) {
            throw new IllegalStateException(name + " is declared as a " + type + ", not a " + t);
        }
    }
}
