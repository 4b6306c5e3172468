package io.auditwatch.ingest.classify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Joins the records of one audit event (same node, same {@code audit(time:serial)}) into one
 * {@link AuditEvent} (ingest/README.md, "Whole audit events"): records in arrival order with their raw
 * bytes untouched, the event's key, syscall and paths, and an {@code incomplete} flag.
 *
 * <p>An event is emitted as soon as it is known whole: an {@code EOE} record, or a SYSCALL whose
 * {@code items=N} PATH records and closing PROCTITLE have all arrived; a userspace record (USER,
 * USER_*, types 1100-1199, auditd's DAEMON_*) stands alone. Otherwise it waits at most the timeout after its first
 * record ({@link #expire}), then goes out as it is, {@code incomplete} when what arrived shows that
 * something is missing (fewer PATHs than {@code items}, no PROCTITLE, records of a syscall event without
 * their SYSCALL). An event that outgrows the size bounds is emitted at once, flagged incomplete;
 * later records of it start a new part. Records of different events interleave freely.
 *
 * <p>Clock-driven and pure: the caller passes receive times; not thread-safe (one per pipeline thread).
 */
public final class AuditEventJoiner {

    /** auditd.conf(5) {@code end_of_event_timeout}, 2 s by default: auditd waits that long itself. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Records in one event: an execve with a long argument list is split over EXECVE records, each up to
     * the kernel's MAX_AUDIT_MESSAGE_LENGTH (8970 bytes); 128 records hold about 1 MiB of arguments.
     */
    public static final int DEFAULT_MAX_RECORDS = 128;
    /** Raw bytes in one event: the same 1 MiB as the largest message the reassembler joins. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    /** Events waiting at once, over all nodes; past it the oldest is emitted (incomplete) first. */
    public static final int DEFAULT_MAX_PENDING = 4096;

    /** Record types the kernel writes as part of a syscall event (they need their SYSCALL). */
    private static final java.util.Set<String> SYSCALL_PARTS =
            java.util.Set.of("CWD", "PATH", "PROCTITLE", "EXECVE", "SOCKADDR", "BPRM_FCAPS", "MMAP", "FD_PAIR");

    /** Why an event came out when it did; a closed set for metric labels. */
    public enum Outcome {
        /** Known whole: EOE, or SYSCALL with all its PATHs and its PROCTITLE, or a standalone record. */
        COMPLETE,
        /** The timeout passed after its first record. */
        TIMED_OUT,
        /** It reached the record or byte bound. */
        OVERSIZED,
        /** Pushed out by the bound on pending events. */
        EVICTED
    }

    /**
     * One audit event.
     *
     * @param node the node identity its records came from
     * @param eventId {@code 1796327355.489:375}
     * @param raw every record's raw bytes, in arrival order, unchanged
     * @param types the record types in the same order
     * @param key the SYSCALL's audit key, or null
     * @param syscall the SYSCALL's syscall (interpreted name when ENRICHED, else the number), or null
     * @param paths the PATH records' names (decoded), in item order
     * @param incomplete records are missing, or the event was cut at a bound
     * @param outcome why it was emitted then
     */
    public record AuditEvent(String node, String eventId, List<byte[]> raw, List<String> types, String key,
            String syscall, List<String> paths, boolean incomplete, Outcome outcome) {
        public AuditEvent {
            raw = List.copyOf(raw);
            types = List.copyOf(types);
            paths = List.copyOf(paths);
        }
    }

    private static final class Pending {
        final String node;
        final String eventId;
        final long firstMs;
        final List<byte[]> raw = new ArrayList<>();
        final List<String> types = new ArrayList<>();
        final List<String> paths = new ArrayList<>();
        String key;
        String syscall;
        int items = -1;
        boolean proctitle;
        boolean eoe;
        int bytes;

        Pending(String node, String eventId, long firstMs) {
            this.node = node;
            this.eventId = eventId;
            this.firstMs = firstMs;
        }

        boolean whole() {
            return eoe || (syscall != null && proctitle && paths.size() >= items);
        }

        boolean missingSomething() {
            if (eoe) {
                return false;
            }
            if (syscall != null) {
                return !proctitle || paths.size() < items;
            }
            return types.stream().anyMatch(SYSCALL_PARTS::contains);
        }

        AuditEvent emit(Outcome outcome) {
            boolean incomplete = outcome == Outcome.OVERSIZED || outcome == Outcome.EVICTED || missingSomething();
            return new AuditEvent(node, eventId, raw, types, key, syscall, paths, incomplete, outcome);
        }
    }

    private final long timeoutMs;
    private final int maxRecords;
    private final int maxBytes;
    private final int maxPending;
    /** Insertion order is first-record order, so the head is always the oldest. */
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

    public AuditEventJoiner() {
        this(DEFAULT_TIMEOUT, DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES, DEFAULT_MAX_PENDING);
    }

    public AuditEventJoiner(Duration timeout, int maxRecords, int maxBytes, int maxPending) {
        this.timeoutMs = Objects.requireNonNull(timeout, "timeout").toMillis();
        if (timeoutMs <= 0 || maxRecords < 1 || maxBytes < 1 || maxPending < 1) {
            throw new IllegalArgumentException("timeout and bounds must be positive");
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.maxPending = maxPending;
    }

    /**
     * Adds one classified auditd record.
     *
     * @param node the resolved node identity
     * @param raw the record's raw bytes (kept, not copied: the caller must not change them)
     * @param fields {@link Classification#fields()} of the record ({@code type}, {@code auditEventId}, ...)
     * @param receivedMs receive time, epoch ms
     * @return the events this record completed (or pushed out), possibly empty
     */
    public List<AuditEvent> offer(String node, byte[] raw, Map<String, Object> fields, long receivedMs) {
        List<AuditEvent> out = new ArrayList<>(1);
        String type = (String) fields.get("type");
        String eventId = (String) fields.get("auditEventId");
        if (type == null || eventId == null) {
            return out;
        }
        if (isUserspace(type) && !pending.containsKey(node + ' ' + eventId)) {
            Pending alone = new Pending(node, eventId, receivedMs);
            add(alone, type, raw, fields);
            out.add(alone.emit(Outcome.COMPLETE));
            return out;
        }
        String id = node + ' ' + eventId;
        Pending p = pending.get(id);
        if (p == null) {
            if (pending.size() >= maxPending) {
                Iterator<Pending> oldest = pending.values().iterator();
                out.add(oldest.next().emit(Outcome.EVICTED));
                oldest.remove();
            }
            p = new Pending(node, eventId, receivedMs);
            pending.put(id, p);
        }
        add(p, type, raw, fields);
        if (p.whole()) {
            pending.remove(id);
            out.add(p.emit(Outcome.COMPLETE));
        } else if (p.raw.size() >= maxRecords || p.bytes >= maxBytes) {
            pending.remove(id);
            out.add(p.emit(Outcome.OVERSIZED));
        }
        return out;
    }

    /** Emits the events whose first record is older than the timeout; call every second. */
    public List<AuditEvent> expire(Instant now) {
        List<AuditEvent> out = new ArrayList<>();
        long cutoff = now.toEpochMilli() - timeoutMs;
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.firstMs > cutoff) {
                break; // first-record order: the rest are younger
            }
            out.add(p.emit(Outcome.TIMED_OUT));
            it.remove();
        }
        return out;
    }

    /** Events waiting for more records. */
    public int pending() {
        return pending.size();
    }

    @SuppressWarnings("unchecked")
    private static void add(Pending p, String type, byte[] raw, Map<String, Object> fields) {
        p.raw.add(raw);
        p.types.add(type);
        p.bytes += raw.length;
        Map<String, String> record = (Map<String, String>) fields.getOrDefault("record", Map.of());
        Map<String, String> interpreted = (Map<String, String>) fields.getOrDefault("interpreted", Map.of());
        Map<String, String> decoded = (Map<String, String>) fields.getOrDefault("decoded", Map.of());
        switch (type) {
            case "SYSCALL" -> {
                p.syscall = interpreted.getOrDefault("SYSCALL", record.get("syscall"));
                p.key = (String) fields.get("key");
                String items = record.get("items");
                p.items = items == null ? 0 : (int) Math.max(0, AuditRecordParser.digits(items, 0, items.length()));
            }
            case "PATH" -> p.paths.add(decoded.getOrDefault("name", record.get("name")));
            case "PROCTITLE" -> p.proctitle = true;
            case "EOE" -> p.eoe = true;
            default -> {
            }
        }
    }

    /** Userspace records (USER, USER_*, 1100-1199, auditd's DAEMON_*) are one record each. */
    private static boolean isUserspace(String type) {
        return AuditRecordParser.isUserType(type) || type.startsWith("DAEMON_");
    }
}
