package io.auditwatch.alerting.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.TestAlertingSettings;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.alerting.TlsMode;
import io.auditwatch.alerting.outbox.Delivery;
import io.auditwatch.alerting.outbox.DeliveryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SMTP transport security against GreenMail: implicit TLS, STARTTLS (through a proxy), trust and identity checks. */
class SmtpTlsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private GreenMail mail;
    private final AlertingSettings settings = TestAlertingSettings.builder()
            .recipients("isso", "isso@example.org").recipients("sa", "sa@example.org").build();
    private final Notification notification = new NotificationRenderer(settings).test(Instant.parse("2026-11-23T18:00:00Z"), "test");

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
    }

    private int start(String protocol) {
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", protocol));
        mail.start();
        return protocol.equals(ServerSetup.PROTOCOL_SMTPS) ? mail.getSmtps().getPort() : mail.getSmtp().getPort();
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
    void authenticatesAfterStarttlsLikeASubmissionPort() throws Exception {
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay-user", "s3cret"));
        mail.start();
        try (StartTlsProxy proxy = new StartTlsProxy(mail.getSmtp().getPort())) {
            SmtpSettings smtp = new SmtpSettings("127.0.0.1", proxy.port(), TlsMode.STARTTLS_REQUIRED, "relay-user", "s3cret",
                    TIMEOUT, TIMEOUT, TIMEOUT, GreenMailTls.exportPem(dir), false);
            send(smtp, notification);
            assertEquals(1, proxy.upgrades.get());
        }
        assertEquals(2, mail.getReceivedMessages().length);
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
