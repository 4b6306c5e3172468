package io.auditwatch.service.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.service.BrokerExtension;
import io.auditwatch.service.admin.OperatorAction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator audit trail against a real broker: written records are read back by the next
 * instance (bounded to the latest {@value OperatorAuditLog#RECENT}, newest first), and a write the
 * broker cannot acknowledge reports failure instead of pretending.
 */
class OperatorAuditLogIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    private static OperatorAction action(int i) {
        return new OperatorAction(Instant.parse("2026-11-24T09:00:00Z").plusSeconds(i), "ops", "127.0.0.1:5" + i,
                "silence-create", Map.of("node", "node-" + i, "until", "2h"), "CHG-" + i, OperatorAction.APPLIED);
    }

    @Test
    void theLatestActionsSurviveARestartNewestFirstAndBounded() {
        int written = OperatorAuditLog.RECENT + 5;
        try (OperatorAuditLog log = new OperatorAuditLog(broker.bootstrapServers(), Map.of(), "audit-restart", (short) 1)) {
            for (int i = 0; i < written; i++) {
                assertTrue(log.write(action(i)));
            }
            assertEquals(OperatorAuditLog.RECENT, log.recent().size());
        }
        try (OperatorAuditLog again = new OperatorAuditLog(broker.bootstrapServers(), Map.of(), "audit-restart", (short) 1)) {
            List<OperatorAction> recent = again.recent();
            assertEquals(OperatorAuditLog.RECENT, recent.size());
            assertEquals(action(written - 1), recent.get(0), "newest first, every field read back");
            assertEquals(action(written - OperatorAuditLog.RECENT), recent.get(recent.size() - 1));
        }
    }

    @Test
    void aWriteTheBrokerCannotAcknowledgeFails() {
        try (OperatorAuditLog log = new OperatorAuditLog(broker.bootstrapServers(), Map.of(), "audit-outage", (short) 1)) {
            assertTrue(log.write(action(1)));
            broker.stop();
            try {
                assertFalse(log.write(action(2)), "not acknowledged: the admin API refuses the change");
                assertEquals(List.of(action(1)), log.recent(), "only what was written is listed");
            } finally {
                broker.start();
            }
        }
    }
}
