package io.auditwatch.heartbeat.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.heartbeat.compliance.RuleSnapshot;
import io.auditwatch.heartbeat.NodeSnapshot;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.StreamState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    @Test
    void snapshotRoundTrips() throws IOException {
        NodeSnapshot s = new NodeSnapshot("mgr-1", 4, 1_700_000_000_500L, NodeSnapshot.NONE, null,
                List.of(new NodeSnapshot.StreamSnapshot(Stream.UCP_AUDIT, StreamState.SILENT, 1_700_000_000_000L,
                        1_700_000_000_000L, 250, true, false)),
                List.of(new NodeSnapshot.OpenAlert(AlertKind.AUDIT_DISABLED, "audit-disabled/mgr-1", "ucp-audit",
                        1_700_000_000_000L, 1_700_000_300_000L, 300_000)),
                false, new RuleSnapshot(1, "1.2.3:missing,1.2.4:ok", 1_700_000_200_000L,
                        List.of("audit-rule-missing/mgr-1/1.2.3")));
        assertEquals(s, StateCodec.decode(StateCodec.value(s)));
    }

    @Test
    void aRecordWrittenBeforeComplianceTrackingReadsWithoutRuleState() throws IOException {
        byte[] old = ("{\"v\":1,\"node\":{\"node\":\"mgr-1\",\"partition\":4,\"controllerSeenMs\":1,"
                + "\"maintenanceUntilMs\":-9223372036854775808,\"maintenanceReason\":null,\"streams\":[],"
                + "\"openAlerts\":[],\"removed\":false}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        NodeSnapshot s = StateCodec.decode(old);
        assertEquals("mgr-1", s.node());
        assertNull(s.rules());
    }

    @Test
    void removedNodeIsATombstone() throws IOException {
        assertNull(StateCodec.value(NodeSnapshot.removed("gone", 1)));
        assertNull(StateCodec.decode(null));
    }

    @Test
    void unknownVersionIsRefused() {
        byte[] v2 = "{\"v\":2,\"node\":{\"node\":\"x\"}}".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> StateCodec.decode(v2));
    }
}
