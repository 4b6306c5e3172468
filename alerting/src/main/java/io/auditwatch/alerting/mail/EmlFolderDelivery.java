package io.auditwatch.alerting.mail;

import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryException;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.outbox.AtomicFiles;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default, with no SMTP relay configured: each notification becomes a complete RFC
 * 5322 {@code .eml} file (both parts; opens in any mail client) in {@code <outbox>/sent-eml} and a
 * WARN log line with subject and recipients, so nothing is silently dropped.
 */
public final class EmlFolderDelivery implements Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(EmlFolderDelivery.class);
    public static final String FOLDER = "sent-eml";

    private final Path folder;
    private final String from;
    private final Session session = Session.getInstance(new Properties());

    public EmlFolderDelivery(Path outboxDir, String from) {
        this.folder = outboxDir.resolve(FOLDER);
        this.from = from;
    }

    public Path folder() {
        return folder;
    }

    @Override
    public String describe() {
        return "eml " + folder;
    }

    @Override
    public Batch open() {
        return new Batch() {
            @Override
            public Receipt send(Notification n) throws DeliveryException {
                Path file = folder.resolve(n.id() + ".eml");
                try {
                    AtomicFiles.write(file, MimeMessages.bytes(MimeMessages.build(session, n, from)));
                } catch (IOException | MessagingException e) {
                    throw new DeliveryException(DeliveryException.Reason.IO, "cannot write " + file + ": " + e.getMessage(), e);
                }
                LOG.warn("alert email NOT SENT (no SMTP relay configured, alerting.smtp.host is empty): \"{}\" to {}; written to {}",
                        MimeMessages.headerSafe(n.subject()), n.recipients(), file);
                return new Receipt(0, "written to " + file + " (no SMTP relay configured)");
            }

            @Override
            public void close() {
            }
        };
    }
}
