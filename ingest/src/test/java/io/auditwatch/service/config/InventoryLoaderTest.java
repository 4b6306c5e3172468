package io.auditwatch.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.auditwatch.heartbeat.IdentityRule;
import io.auditwatch.heartbeat.Inventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory's {@code identity:} per node: read, defaulted, and refused naming file and key. */
class InventoryLoaderTest {
    @TempDir
    Path dir;

    private Path inventory(String nodes) throws IOException {
        Path f = dir.resolve("nodes.yaml");
        Files.writeString(f, "roles:\n  worker:\n    streams:\n      auditd: 15m\nnodes:\n" + nodes);
        return f;
    }

    @Test
    void eachNodeSaysHowItMustBeRecognisedAndHostnameIsTheDefault() throws IOException {
        Inventory inv = InventoryLoader.load(inventory("""
                  - name: a
                    role: worker
                    identity: certificate
                  - name: b
                    role: worker
                    addresses: [10.0.0.2]
                    identity: address
                  - name: c
                    role: worker
                """));
        assertEquals(IdentityRule.CERTIFICATE, inv.nodes().get(0).identity());
        assertEquals(IdentityRule.ADDRESS, inv.nodes().get(1).identity());
        assertEquals(IdentityRule.HOSTNAME, inv.nodes().get(2).identity());
    }

    @Test
    void anAddressRuleWithoutAddressesNamesTheFileAndTheKey() throws IOException {
        Path f = inventory("""
                  - name: wrk-9
                    role: worker
                    identity: address
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> InventoryLoader.load(f));
        assertEquals(f + ": nodes[wrk-9].identity: 'address' needs the node's addresses: list them under addresses,"
                + " or choose certificate or hostname", e.getMessage());
    }

    @Test
    void anUnknownRuleNamesTheFileTheKeyAndTheChoices() throws IOException {
        Path f = inventory("""
                  - name: wrk-9
                    role: worker
                    identity: cert
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> InventoryLoader.load(f));
        assertEquals(f + ": nodes[0] (wrk-9).identity: expected certificate, address or hostname, got 'cert'", e.getMessage());
    }
}
