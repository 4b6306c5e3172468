package io.auditwatch.alerting.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryException;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.alerting.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP transport security against GreenMail: implicit TLS, STARTTLS (through a proxy), trust and
 * identity checks, and credentials that never cross in clear.
 */
class SmtpTlsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private GreenMail mail;
    /** Two recipients: every accepted send shows as two received messages. */
    private final Notification notification = new Notification("1764000000000-tls", List.of(AlertKind.TEST),
            "[auditwatch] TEST: audit failure alert delivery check", "text", "<p>html</p>",
            List.of("isso@example.org", "sa@example.org"), Instant.parse("2026-11-23T18:00:00Z"), List.of());

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
    }

    private int start(String protocol) {
        mail = new GreenMail(GreenMailTls.loopback(protocol));
        mail.start();
        return protocol.equals(ServerSetup.PROTOCOL_SMTPS) ? mail.getSmtps().getPort() : mail.getSmtp().getPort();
    }

    /** A plain SMTP server that wants AUTH as relay-user / s3cret. */
    private void startWithUser() {
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay-user", "s3cret"));
        mail.start();
    }

    private SmtpSettings smtp(int port, TlsMode tls, Path ca, boolean checkIdentity) {
        return new SmtpSettings("127.0.0.1", port, tls, "", "", TIMEOUT, TIMEOUT, TIMEOUT, ca, checkIdentity);
    }

    private static void send(SmtpSettings smtp, Notification n) throws DeliveryException {
        try (Delivery.Batch b = new SmtpDelivery(smtp, "auditwatch@example.org").open()) {
            b.send(n);
        }
    }

    @Test
    void implicitTlsToARelayWhoseCaIsConfiguredDelivers() throws Exception {
        int port = start(ServerSetup.PROTOCOL_SMTPS);
        send(smtp(port, TlsMode.IMPLICIT, GreenMailTls.exportPem(dir), false), notification);
        assertEquals(2, mail.getReceivedMessages().length);
    }

    @Test
    void implicitTlsDoesNotTrustAnUnknownCertificateByDefault() {
        int port = start(ServerSetup.PROTOCOL_SMTPS);
        DeliveryException e = assertThrows(DeliveryException.class, () -> send(smtp(port, TlsMode.IMPLICIT, null, false), notification));
        assertEquals(DeliveryException.Reason.TLS, e.reason());
        assertEquals(0, mail.getReceivedMessages().length);
    }

    @Test
    void serverIdentityIsCheckedByDefault() throws Exception {
        int port = start(ServerSetup.PROTOCOL_SMTPS);
        // Trusted CA, but the certificate does not name 127.0.0.1.
        DeliveryException e = assertThrows(DeliveryException.class,
                () -> send(smtp(port, TlsMode.IMPLICIT, GreenMailTls.exportPem(dir), true), notification));
        assertEquals(DeliveryException.Reason.TLS, e.reason());
    }

    @Test
    void starttlsRequiredUpgradesTheConnection() throws Exception {
        int port = start(ServerSetup.PROTOCOL_SMTP);
        try (StartTlsProxy proxy = new StartTlsProxy(port)) {
            send(smtp(proxy.port(), TlsMode.STARTTLS_REQUIRED, GreenMailTls.exportPem(dir), false), notification);
            assertEquals(1, proxy.upgrades.get());
        }
        assertEquals(2, mail.getReceivedMessages().length);
    }

    @Test
    void starttlsVerifiesTheCertificateAndTheServerIdentityToo() throws Exception {
        int port = start(ServerSetup.PROTOCOL_SMTP);
        try (StartTlsProxy proxy = new StartTlsProxy(port)) {
            DeliveryException untrusted = assertThrows(DeliveryException.class,
                    () -> send(smtp(proxy.port(), TlsMode.STARTTLS_REQUIRED, null, false), notification));
            assertEquals(DeliveryException.Reason.TLS, untrusted.reason());
            // Trusted CA, but GreenMail's certificate does not name 127.0.0.1.
            DeliveryException wrongName = assertThrows(DeliveryException.class,
                    () -> send(smtp(proxy.port(), TlsMode.STARTTLS_REQUIRED, GreenMailTls.exportPem(dir), true), notification));
            assertEquals(DeliveryException.Reason.TLS, wrongName.reason());
        }
        assertEquals(0, mail.getReceivedMessages().length);
    }

    @Test
    void credentialsWithoutEncryptionAreAConfigurationErrorNamingTheKeys() {
        startWithUser();
        for (TlsMode plain : new TlsMode[] {TlsMode.NONE, TlsMode.STARTTLS_OPPORTUNISTIC}) {
            AlertingConfigException e = assertThrows(AlertingConfigException.class, () -> new SmtpSettings("127.0.0.1",
                    mail.getSmtp().getPort(), plain, "relay-user", "s3cret", TIMEOUT, TIMEOUT, TIMEOUT, null, false));
            assertEquals("alerting.smtp.starttls", e.key());
            assertTrue(e.getMessage().contains("alerting.smtp.username") && e.getMessage().contains("required or implicit"),
                    e.getMessage());
        }
        assertEquals(0, mail.getReceivedMessages().length);
    }

    @Test
    void authenticatesAfterStarttlsAndNeverWhenTheRelayStopsOfferingIt() throws Exception {
        startWithUser();
        try (StartTlsProxy proxy = new StartTlsProxy(mail.getSmtp().getPort())) {
            SmtpSettings smtp = new SmtpSettings("127.0.0.1", proxy.port(), TlsMode.STARTTLS_REQUIRED, "relay-user", "s3cret",
                    TIMEOUT, TIMEOUT, TIMEOUT, GreenMailTls.exportPem(dir), false);
            send(smtp, notification);
            assertEquals(1, proxy.upgrades.get());
            assertEquals(2, mail.getReceivedMessages().length);

            proxy.offerStartTls = false;
            proxy.plainCommands.clear();
            DeliveryException e = assertThrows(DeliveryException.class, () -> send(smtp, notification));
            assertEquals(DeliveryException.Reason.TLS, e.reason());
            assertTrue(proxy.plainCommands.stream().anyMatch(c -> c.toUpperCase().startsWith("EHLO")), proxy.plainCommands.toString());
            assertTrue(proxy.plainCommands.stream().noneMatch(c -> c.toUpperCase().startsWith("AUTH")),
                    "AUTH sent in clear: " + proxy.plainCommands);
            assertTrue(proxy.plainCommands.stream().noneMatch(c -> c.contains("s3cret") || c.contains(
                    java.util.Base64.getEncoder().encodeToString("\0relay-user\0s3cret".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))),
                    proxy.plainCommands.toString());
            assertEquals(1, proxy.upgrades.get());
        }
        assertEquals(2, mail.getReceivedMessages().length, "nothing delivered without TLS");
    }

    @Test
    void starttlsRequiredRefusesARelayThatDoesNotOfferIt() {
        int port = start(ServerSetup.PROTOCOL_SMTP);
        DeliveryException e = assertThrows(DeliveryException.class,
                () -> send(smtp(port, TlsMode.STARTTLS_REQUIRED, null, true), notification));
        assertEquals(DeliveryException.Reason.TLS, e.reason());
        assertEquals(0, mail.getReceivedMessages().length);
    }

    @Test
    void starttlsOpportunisticFallsBackToPlainWhenNotOffered() throws Exception {
        int port = start(ServerSetup.PROTOCOL_SMTP);
        send(smtp(port, TlsMode.STARTTLS_OPPORTUNISTIC, null, true), notification);
        assertEquals(2, mail.getReceivedMessages().length);
    }

    @Test
    void unreachableRelayIsAConnectFailure() {
        int port = start(ServerSetup.PROTOCOL_SMTP);
        mail.stop();
        mail = null;
        DeliveryException e = assertThrows(DeliveryException.class, () -> send(smtp(port, TlsMode.NONE, null, true), notification));
        assertEquals(DeliveryException.Reason.CONNECT, e.reason());
    }
}
