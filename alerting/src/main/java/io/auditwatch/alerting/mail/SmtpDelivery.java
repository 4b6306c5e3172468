package io.auditwatch.alerting.mail;

import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryException;
import io.auditwatch.alerting.DeliveryException.Reason;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.alerting.TlsMode;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Delivery to an SMTP relay with Jakarta Mail (Angus): STARTTLS opportunistic or required,
 * implicit TLS, SMTP AUTH, connect/read/write timeouts, and an optional private CA. Never trusts
 * every certificate: with no CA file the JDK trust store decides.
 */
public final class SmtpDelivery implements Delivery {
    /** TLS 1.0/1.1 are deprecated (RFC 8996); a relay that only speaks them is a delivery failure. */
    static final String TLS_PROTOCOLS = "TLSv1.3 TLSv1.2";

    private final SmtpSettings smtp;
    private final String from;
    private final Session session;
    private final String protocol;

    public SmtpDelivery(SmtpSettings smtp, String from) {
        if (!smtp.enabled()) {
            throw new IllegalArgumentException("no SMTP host configured");
        }
        this.smtp = smtp;
        this.from = from;
        this.protocol = smtp.tls() == TlsMode.IMPLICIT ? "smtps" : "smtp";
        this.session = Session.getInstance(properties(smtp, from, protocol));
    }

    static Properties properties(SmtpSettings smtp, String from, String protocol) {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put(p + "host", smtp.host());
        props.put(p + "port", Integer.toString(smtp.port()));
        props.put(p + "connectiontimeout", Long.toString(smtp.connectTimeout().toMillis()));
        props.put(p + "timeout", Long.toString(smtp.readTimeout().toMillis()));
        props.put(p + "writetimeout", Long.toString(smtp.writeTimeout().toMillis()));
        props.put(p + "from", from);
        props.put(p + "auth", Boolean.toString(!smtp.username().isEmpty()));
        props.put(p + "starttls.enable", Boolean.toString(smtp.tls() == TlsMode.STARTTLS_OPPORTUNISTIC || smtp.tls() == TlsMode.STARTTLS_REQUIRED));
        props.put(p + "starttls.required", Boolean.toString(smtp.tls() == TlsMode.STARTTLS_REQUIRED));
        props.put(p + "ssl.checkserveridentity", Boolean.toString(smtp.checkServerIdentity()));
        props.put(p + "ssl.protocols", TLS_PROTOCOLS);
        if (smtp.trustCaFile() != null) {
            props.put(p + "ssl.socketFactory", socketFactory(smtp));
        }
        return props;
    }

    /** An SSL socket factory trusting exactly the certificates in the PEM file. */
    private static SSLSocketFactory socketFactory(SmtpSettings smtp) {
        try (InputStream in = Files.newInputStream(smtp.trustCaFile())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new AlertingConfigException("alerting.smtp.trust-ca-file", "no PEM certificate in " + smtp.trustCaFile());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new AlertingConfigException("alerting.smtp.trust-ca-file", "cannot load " + smtp.trustCaFile() + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String describe() {
        return "smtp " + smtp.host() + ":" + smtp.port() + " (" + smtp.tls().id() + (smtp.username().isEmpty() ? "" : ", auth") + ")";
    }

    @Override
    public Batch open() throws DeliveryException {
        Transport t;
        try {
            t = session.getTransport(protocol);
            if (smtp.username().isEmpty()) {
                t.connect();
            } else {
                t.connect(smtp.host(), smtp.port(), smtp.username(), smtp.password());
            }
        } catch (MessagingException e) {
            throw classify(e, "connect to " + smtp.host() + ":" + smtp.port());
        }
        return new Batch() {
            @Override
            public Receipt send(Notification n) throws DeliveryException {
                try {
                    MimeMessage m = MimeMessages.build(session, n, from);
                    t.sendMessage(m, m.getAllRecipients());
                    return receipt(t);
                } catch (SendFailedException e) {
                    // RCPT or DATA refused: with mail.smtp.sendpartial=false (default) nothing was sent.
                    throw new DeliveryException(Reason.REJECTED, "refused: " + oneLine(e.getMessage()), e);
                } catch (MessagingException e) {
                    throw classify(e, "send");
                }
            }

            @Override
            public void close() {
                try {
                    t.close();
                } catch (MessagingException ignored) {
                    // The message was accepted (or not) before QUIT; a failing QUIT changes neither.
                }
            }
        };
    }

    /** The relay's reply to the end of DATA, which Angus keeps as the transport's last response. */
    static Receipt receipt(Transport t) {
        if (t instanceof SMTPTransport smtp) {
            return new Receipt(smtp.getLastReturnCode(), oneLine(smtp.getLastServerResponse()));
        }
        return new Receipt(0, "accepted");
    }

    static DeliveryException classify(MessagingException e, String what) {
        Reason r = Reason.OTHER;
        if (e instanceof AuthenticationFailedException) {
            r = Reason.AUTH;
        } else if (String.valueOf(e.getMessage()).contains("STARTTLS")) {
            r = Reason.TLS;
        } else {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof SSLException) {
                    r = Reason.TLS;
                    break;
                }
                if (c instanceof SocketTimeoutException) {
                    r = Reason.TIMEOUT;
                    break;
                }
                if (c instanceof IOException) {
                    r = Reason.CONNECT;
                    break;
                }
            }
        }
        return new DeliveryException(r, what + ": " + oneLine(e.getMessage()), e);
    }

    private static String oneLine(String s) {
        return s == null ? "" : MimeMessages.headerSafe(s).trim();
    }
}
