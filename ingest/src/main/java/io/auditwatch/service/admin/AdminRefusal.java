package io.auditwatch.service.admin;

/**
 * Why the admin server refused a request: the {@code reason} label of
 * {@code auditwatch_admin_refused_total} and of the rate-limited refusal log line. A closed set,
 * so the label stays bounded whatever clients send.
 */
public enum AdminRefusal {
    /** POST without {@code Content-Type: application/json} (415): what a browser sends cross-site without a preflight. */
    CONTENT_TYPE,
    /** {@code Host} not among {@code admin.allowed-hosts} (421): DNS rebinding. */
    HOST,
    /** POST whose {@code Origin} is not an allowed host (403): a page of another site. */
    ORIGIN,
    /** No or wrong credentials (401). */
    UNAUTHENTICATED,
    /** Authenticated, but the role does not allow the method (403). */
    ROLE,
    /** A maintenance window longer than {@code admin.maintenance-max} or without a reason (400). */
    MAINTENANCE_WINDOW,
    /** A test alert sooner than {@code admin.test-alert-interval} after the previous one (429). */
    TEST_ALERT_RATE
}
