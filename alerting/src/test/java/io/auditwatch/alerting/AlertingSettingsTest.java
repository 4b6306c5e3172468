package io.auditwatch.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertingSettingsTest {
    private static final Duration T = Duration.ofSeconds(10);

    private static TestAlertingSettings valid() {
        return TestAlertingSettings.builder().recipients("isso", "isso@example.org").recipients("sa", "sa@example.org");
    }

    @Test
    void missingIssoStopsStartUpNamingTheKey() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> TestAlertingSettings.builder().recipients("sa", "sa@example.org").build());
        assertEquals("alerting.recipients.isso: at least one address is required", e.getMessage());
        assertEquals("alerting.recipients.isso", e.key());
    }

    @Test
    void missingSaStopsStartUpNamingTheKey() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> TestAlertingSettings.builder().recipients("isso", "isso@example.org").build());
        assertEquals("alerting.recipients.sa: at least one address is required", e.getMessage());
    }

    @Test
    void blankAddressListCountsAsMissing() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> TestAlertingSettings.builder().recipients("isso", " ").recipients("sa", "sa@example.org").build());
        assertEquals("alerting.recipients.isso", e.key());
    }

    @Test
    void invalidAddressIsRejectedWithItsRole() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> valid().recipients("sa", "sa@example.org", "not an address").build());
        assertEquals("alerting.recipients.sa", e.key());
        assertTrue(e.getMessage().contains("invalid email address 'not an address'"), e.getMessage());
    }

    @Test
    void routeMustKeepIssoAndSa() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> valid().recipients("ops", "ops@example.org").route(AlertKind.KAFKA_UNREACHABLE, "ops", "sa").build());
        assertEquals("alerting.routes.kafka-unreachable", e.key());
    }

    @Test
    void routeMayAddRoles() {
        AlertingSettings s = valid().recipients("ops", "ops@example.org").route(AlertKind.KAFKA_UNREACHABLE, "isso", "sa", "ops").build();
        assertEquals(List.of("isso", "sa", "ops"), s.rolesFor(AlertKind.KAFKA_UNREACHABLE));
        assertEquals(List.of("isso", "sa"), s.rolesFor(AlertKind.NODE_SILENT));
        assertEquals(List.of("isso", "sa", "ops"), s.rolesFor(AlertKind.TEST));
    }

    @Test
    void escalationToAnUnknownRoleIsRejected() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> valid().escalate(Duration.ofHours(1), "ciso").build());
        assertEquals("alerting.escalation[0].roles", e.key());
    }

    @Test
    void escalationStepsMustIncrease() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> valid().escalate(Duration.ofHours(2), "sa").escalate(Duration.ofHours(1), "isso").build());
        assertEquals("alerting.escalation[1].after", e.key());
    }

    @Test
    void retryMaxBelowInitialIsRejected() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> valid().retry(Duration.ofMinutes(1), Duration.ofSeconds(5)).build());
        assertEquals("alerting.retry.max", e.key());
    }

    @Test
    void usernameWithoutPasswordIsRejected() {
        AlertingConfigException e = assertThrows(AlertingConfigException.class,
                () -> new SmtpSettings("relay", 587, TlsMode.STARTTLS_REQUIRED, "auditwatch", "", T, T, T, null, true));
        assertEquals("alerting.smtp.password-file", e.key());
    }

    @Test
    void toStringRedactsThePassword() {
        SmtpSettings smtp = new SmtpSettings("relay", 587, TlsMode.STARTTLS_REQUIRED, "auditwatch", "hunter2", T, T, T, null, true);
        AlertingSettings s = valid().smtp(smtp).build();
        assertFalse(s.toString().contains("hunter2"));
        assertTrue(s.toString().contains("(redacted)"));
    }
}
