package io.auditwatch.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.Executable;

/**
 * A GreenMail SMTP server on a free loopback port for each test, read as alert notices: one
 * {@link Notice} per alert a received email reports, per recipient's mailbox (GreenMail stores a
 * copy for each recipient), so that tests count notices per node, recipient and Message-ID.
 *
 * <pre>{@code @RegisterExtension
 * final AlertMailbox mail = new AlertMailbox();}</pre>
 */
final class AlertMailbox implements BeforeEachCallback, AfterEachCallback {
    /** The recipients {@link ServiceProcess#environment} configures: ISSO and SA, whom every node alert goes to. */
    static final List<String> RECIPIENTS = List.of("isso@example.org", "sa@example.org");
    /** The header naming each alert an email reports (alerting's MimeMessages). */
    static final String ALERT_KEY_HEADER = "X-Auditwatch-Alert-Key";

    /** What an email says about one alert, read from the headline above its facts. */
    enum Type {
        FIRING, RECOVERED, REPEAT, ESCALATED;

        /** The type a headline starts with (NotificationRenderer's subjects), or null for a fact line. */
        static Type of(String headline) {
            if (headline.startsWith("AUDIT FAILURE: ") || headline.startsWith("PIPELINE FAILURE: ")) {
                return FIRING;
            }
            if (headline.startsWith("RECOVERED: ")) {
                return RECOVERED;
            }
            if (headline.startsWith("STILL SILENT: ") || headline.startsWith("STILL FAILING: ")) {
                return REPEAT;
            }
            return headline.startsWith("ESCALATED: ") ? ESCALATED : null;
        }
    }

    /**
     * One alert reported by one email in one recipient's mailbox.
     *
     * @param key the alert key ({@code node-silent/<node>})
     * @param node the key's node ({@code node-silent/<node>}, {@code stream-silent/<node>/<stream>}), or null
     */
    record Notice(String recipient, String messageId, Type type, String key, String node, String subject) {
        @Override
        public String toString() {
            return type + " " + key + " to " + recipient + " in " + messageId + " (\"" + subject + "\")";
        }
    }

    /** The notices received up to one moment, at every one of {@link #RECIPIENTS}, in order of arrival. */
    record Notices(List<Notice> all) {
        /**
         * The emails to {@code recipient} that report a {@code type} notice about {@code node}, by
         * Message-ID: a Message-ID with two notices is one email delivered twice.
         */
        Map<String, List<Notice>> emails(String recipient, Type type, String node) {
            return all.stream().filter(n -> n.recipient().equals(recipient) && n.type() == type && node.equals(n.node()))
                    .collect(Collectors.groupingBy(Notice::messageId, LinkedHashMap::new, Collectors.toList()));
        }

        /** True when every one of {@code nodes} has a {@code type} notice at every recipient. */
        boolean reported(Type type, Collection<String> nodes) {
            return RECIPIENTS.stream().allMatch(r -> nodes.stream().allMatch(n -> !emails(r, type, n).isEmpty()));
        }

        /**
         * Per recipient: exactly one email (Message-ID) with a {@code type} notice about {@code node},
         * delivered at most twice (a crash between the relay's acceptance and the outbox's deletion
         * sends it again: alerting/README.md, "Delivery guarantees").
         */
        List<Executable> exactlyOne(Type type, String node) {
            List<Executable> checks = new ArrayList<>();
            for (String r : RECIPIENTS) {
                checks.add(() -> {
                    Map<String, List<Notice>> emails = emails(r, type, node);
                    assertEquals(1, emails.size(), () -> type + " emails about " + node + " to " + r + ": " + emails.values());
                    emails.forEach((id, copies) -> assertTrue(copies.size() <= 2, () -> id + " delivered " + copies.size() + " times"));
                });
            }
            return checks;
        }

        /** Every notice about one of {@code nodes}. */
        List<Notice> about(Collection<String> nodes) {
            return all.stream().filter(n -> nodes.contains(n.node())).toList();
        }

        /** Repeats ("still silent") and escalations of node alerts. */
        List<Notice> repeats() {
            return all.stream().filter(n -> n.node() != null && (n.type() == Type.REPEAT || n.type() == Type.ESCALATED)).toList();
        }

        /** Emails received more than once (the same Message-ID in one mailbox), one line each. */
        List<String> duplicates() {
            List<String> out = new ArrayList<>();
            all.stream().collect(Collectors.groupingBy(n -> n.recipient() + " " + n.messageId(), LinkedHashMap::new,
                    Collectors.toList())).forEach((email, notices) -> {
                        long copies = notices.size() / notices.stream().map(Notice::key).distinct().count();
                        if (copies > 1) {
                            out.add(email + " received " + copies + " times: " + notices.get(0).subject());
                        }
                    });
            return out;
        }

        /** One line per notice, for a test's output. */
        @Override
        public String toString() {
            return all.stream().map(n -> "    " + n).collect(Collectors.joining("\n"));
        }
    }

    private GreenMail smtp;

    @Override
    public void beforeEach(ExtensionContext context) {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        smtp.stop();
    }

    /** The AUDITWATCH_* variables that mail alerts to this server, without TLS. */
    Map<String, String> environment() {
        return Map.of(
                "AUDITWATCH_ALERTING_SMTP_HOST", "127.0.0.1",
                "AUDITWATCH_ALERTING_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()),
                "AUDITWATCH_ALERTING_SMTP_STARTTLS", "none");
    }

    /** Every notice received so far. */
    Notices read() {
        List<Notice> out = new ArrayList<>();
        for (String r : RECIPIENTS) {
            smtp.findReceivedMessages(u -> u.getEmail().equalsIgnoreCase(r), m -> true).forEach(m -> out.addAll(read(r, m)));
        }
        return new Notices(List.copyOf(out));
    }

    /**
     * Waits until {@link Notices#reported} holds, at most {@code atMost}; false when it did not, for
     * the caller's assertions to say what is missing.
     */
    boolean awaitReported(Type type, Collection<String> nodes, Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> read().reported(type, nodes));
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /**
     * Waits until no email arrived for {@code quiet}, at most {@code atMost}: a late or second
     * notice would arrive within it.
     */
    void awaitQuiet(Duration quiet, Duration atMost) {
        AtomicInteger seen = new AtomicInteger(smtp.getReceivedMessages().length);
        try {
            await().atMost(atMost).during(quiet).pollInterval(Duration.ofMillis(250)).until(() -> {
                int now = smtp.getReceivedMessages().length;
                return seen.getAndSet(now) == now;
            });
        } catch (ConditionTimeoutException e) {
            // Still arriving: the caller's assertions count what came.
        }
    }

    /**
     * The notices of one email: each {@code Alert:} fact of the text part under the headline above
     * it (the subject's for a single alert, a {@code * } line's in a digest). Fails when they do not
     * name the same alerts as the {@value #ALERT_KEY_HEADER} headers, so that a changed layout fails
     * the test instead of counting nothing.
     */
    static List<Notice> read(String recipient, MimeMessage m) {
        try {
            String subject = m.getSubject();
            List<Notice> out = new ArrayList<>();
            Type type = null;
            for (String line : text(m).split("\r?\n")) {
                String headline = line.startsWith("* ") ? line.substring(2) : line;
                Type t = Type.of(headline);
                if (t != null) {
                    type = t;
                } else if (line.strip().startsWith("Alert:") && line.endsWith(")")) {
                    String key = line.substring(line.lastIndexOf('(') + 1, line.length() - 1);
                    out.add(new Notice(recipient, m.getMessageID(), type, key, node(key), subject));
                }
            }
            String[] headers = m.getHeader(ALERT_KEY_HEADER);
            List<String> named = headers == null ? List.of() : Arrays.stream(headers).sorted().toList();
            List<String> read = out.stream().map(Notice::key).sorted().toList();
            if (!named.equals(read) || out.stream().anyMatch(n -> n.type() == null)) {
                throw new AssertionError("cannot read the notices of " + m.getMessageID() + " (\"" + subject + "\"): headers "
                        + named + ", read " + out + "\n" + text(m));
            }
            return out;
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node of a node alert's key: its second segment; null for a key of one segment. */
    static String node(String key) {
        String[] parts = key.split("/");
        return parts.length > 1 ? parts[1] : null;
    }

    /** The text/plain part (alerting's MimeMessages: multipart/alternative, text first). */
    private static String text(MimeMessage m) {
        try {
            Object content = m.getContent();
            if (content instanceof String s) {
                return s;
            }
            Multipart parts = (Multipart) content;
            for (int i = 0; i < parts.getCount(); i++) {
                BodyPart p = parts.getBodyPart(i);
                if (p.isMimeType("text/plain")) {
                    return (String) p.getContent();
                }
            }
            throw new AssertionError("no text/plain part in " + m.getMessageID());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
