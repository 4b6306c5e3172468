package io.auditwatch.service.admin;

/**
 * One named condition of {@code GET /ready}: listeners bound, Kafka reachable, heartbeat caught up.
 *
 * <p>{@link #check()} runs on the admin server's thread for every probe (Kubernetes probes every few
 * seconds), so it must be fast and must not block: the service computes the state in the background
 * and the check reads a volatile. A check that throws counts as down, with the exception's class as
 * detail.
 */
public interface ReadinessCheck {

    /** Stable key in the JSON body ({@code listeners}, {@code kafka}, {@code heartbeat}). */
    String name();

    /** The current state; never null. */
    Result check();

    /**
     * The state of one check.
     *
     * @param up whether the condition holds
     * @param detail a short human-readable reason, or null; shown in the JSON body, so never a secret
     */
    record Result(boolean up, String detail) {

        private static final Result OK = new Result(true, null);

        /** Up, without detail. */
        public static Result ok() {
            return OK;
        }

        /** Up, with a detail such as {@code "3 listeners bound"}. */
        public static Result ok(String detail) {
            return new Result(true, detail);
        }

        /** Down, with the reason. */
        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }

    /** A check named {@code name} that reads {@code state} (a lambda over a volatile field). */
    static ReadinessCheck of(String name, java.util.function.Supplier<Result> state) {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(state, "state");
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Result check() {
                return state.get();
            }
        };
    }
}
