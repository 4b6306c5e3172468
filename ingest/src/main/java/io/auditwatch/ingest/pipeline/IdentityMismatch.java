package io.auditwatch.ingest.pipeline;

import java.util.Locale;

/**
 * Why an event's claimed node is not the node it was attributed to (heartbeat/README.md, "Identity
 * rules"); the label of {@code auditwatch_identity_mismatches_total}. The first three break a rule
 * and feed the spoofing alert; the last is a certificate holder writing another host's name.
 */
public enum IdentityMismatch {
    /** The claimed node is {@code identity: certificate} and no verified certificate names it. */
    CERTIFICATE_REQUIRED(true),
    /** The claimed node is {@code identity: address} and the sender is outside its {@code addresses:}. */
    ADDRESS_REQUIRED(true),
    /** {@code listeners.require-identity} is on and only the HOSTNAME named the node. */
    IDENTITY_REQUIRED(true),
    /** The HOSTNAME names another host than the sender's certificate, and that host has no stricter rule. */
    CERTIFICATE_DIFFERS(false);

    private final boolean violation;

    IdentityMismatch(boolean violation) {
        this.violation = violation;
    }

    /** True when a node's identity rule was broken: the event is kept from that node's liveness. */
    public boolean violation() {
        return violation;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
