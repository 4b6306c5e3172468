package io.auditwatch.alerting;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Alerting settings for tests: a builder that starts from the tests' own values (they happen to
 * match the shipped defaults, which only the service's configuration table defines); a test that
 * depends on one sets it. {@link #build()} validates like the service does.
 */
public final class TestAlertingSettings {
    /** The digest window the tests start from. */
    public static final Duration GROUP_WINDOW = Duration.ofSeconds(30);

    private final Map<String, List<String>> recipients = new LinkedHashMap<>();
    private final Map<String, List<String>> routes = new LinkedHashMap<>();
    private final List<EscalationStep> escalation = new ArrayList<>();
    private SmtpSettings smtp = noRelay();
    private String from = "auditwatch@localhost";
    private Duration groupWindow = GROUP_WINDOW;
    private Duration repeatInterval = Duration.ofHours(4);
    private Path outboxDir = Path.of("data", "outbox");
    private Duration retryInitial = Duration.ofSeconds(5);
    private Duration retryMax = Duration.ofMinutes(5);
    private String statusUrl = "";

    private TestAlertingSettings() {
    }

    public static TestAlertingSettings builder() {
        return new TestAlertingSettings();
    }

    /** No relay: notifications go to the {@code .eml} folder. */
    public static SmtpSettings noRelay() {
        Duration timeout = Duration.ofSeconds(10);
        return new SmtpSettings("", 25, TlsMode.STARTTLS_OPPORTUNISTIC, "", "", timeout, timeout, timeout, null, true);
    }

    public TestAlertingSettings recipients(String role, String... addresses) {
        recipients.put(role.toLowerCase(Locale.ROOT), List.of(addresses));
        return this;
    }

    public TestAlertingSettings route(AlertKind kind, String... roles) {
        routes.put(kind.id(), List.of(roles));
        return this;
    }

    public TestAlertingSettings escalate(Duration after, String... roles) {
        escalation.add(new EscalationStep(after, List.of(roles)));
        return this;
    }

    public TestAlertingSettings smtp(SmtpSettings smtp) {
        this.smtp = Objects.requireNonNull(smtp);
        return this;
    }

    public TestAlertingSettings from(String from) {
        this.from = from;
        return this;
    }

    public TestAlertingSettings groupWindow(Duration d) {
        this.groupWindow = d;
        return this;
    }

    public TestAlertingSettings repeatInterval(Duration d) {
        this.repeatInterval = d;
        return this;
    }

    public TestAlertingSettings outboxDir(Path dir) {
        this.outboxDir = dir;
        return this;
    }

    public TestAlertingSettings retry(Duration initial, Duration max) {
        this.retryInitial = initial;
        this.retryMax = max;
        return this;
    }

    public TestAlertingSettings statusUrl(String url) {
        this.statusUrl = url;
        return this;
    }

    public AlertingSettings build() {
        return new AlertingSettings(recipients, routes, escalation, smtp, from, groupWindow, repeatInterval,
                outboxDir, retryInitial, retryMax, statusUrl);
    }
}
