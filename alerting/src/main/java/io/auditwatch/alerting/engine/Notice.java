package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.OpenAlert;
import java.util.Objects;

/**
 * One alert's part in a notification: what happened to it, as rendered by {@link NotificationRenderer}.
 *
 * @param type what this notice says about the alert
 * @param alert the alert as it is when the notice is made (for RECOVERED: with its RESOLVED event)
 */
record Notice(Type type, OpenAlert alert) {
    enum Type {
        /** The alert is new ("AUDIT FAILURE" / "PIPELINE FAILURE"). */
        FIRING,
        /** The alert closed ("RECOVERED"), with the outage length. */
        RECOVERED,
        /** Still open after repeat-interval ("STILL SILENT" / "STILL FAILING"). */
        REPEAT,
        /** Open past an escalation step; goes to the added roles too ("ESCALATED"). */
        ESCALATED
    }

    Notice {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(alert, "alert");
    }
}
