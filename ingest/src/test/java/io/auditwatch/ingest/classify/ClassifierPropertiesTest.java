package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * classify never throws and always names a stream, for any text: arbitrary strings, and cut or
 * spliced real samples (the inputs most likely to reach a parser's corners).
 */
class ClassifierPropertiesTest {
    private static final List<String> SAMPLES = List.of(
            Fixtures.line("ucp-controller-audit-real.json"),
            Fixtures.line("k8s-event-real.json"),
            Fixtures.line("dtr-webhook-tag-push-real.json"),
            Fixtures.lines("auditd-captured-enriched.log").get(4),
            Fixtures.lines("auditd-captured-enriched.log").get(11),
            Fixtures.lines("audisp-syslog-real.log").get(0),
            Fixtures.lines("dockerd-journal-real.tsv").get(1).split("\t")[1]);
    private static final List<String> TAGS = List.of("", "ucp-controller", "dtr-api-0123456789ab",
            "5790672ab6a0", "audisp-syslog", "dockerd", "hello-world/foobar/5790672ab6a0", "x/y/");

    private final Classifier classifier = new Classifier();

    private void check(String tag, String msg) {
        Classification c = classifier.classify(tag, null, msg);
        assertNotNull(c);
        assertNotNull(c.stream());
        assertNotNull(c.fields());
        assertNotEquals(ParseShortfall.INTERNAL_ERROR, c.shortfall(), "classifier threw inside");
    }

    @Property(tries = 2000)
    void anyStringWithAnyTagClassifies(@ForAll String tag, @ForAll String msg) {
        check(tag, msg);
    }

    @Property(tries = 2000)
    void cutAndSplicedRealSamplesClassify(@ForAll("mangled") String msg, @ForAll("tags") String tag) {
        check(tag, msg);
    }

    @Provide
    Arbitrary<String> tags() {
        return Arbitraries.oneOf(Arbitraries.of(TAGS), Arbitraries.strings().ofMaxLength(80));
    }

    @Provide
    Arbitrary<String> mangled() {
        Arbitrary<String> sample = Arbitraries.of(SAMPLES);
        Arbitrary<String> cut = Combinators.combine(sample, Arbitraries.doubles().between(0, 1),
                Arbitraries.doubles().between(0, 1)).as((s, a, b) -> {
                    int from = (int) (Math.min(a, b) * s.length());
                    int to = (int) (Math.max(a, b) * s.length());
                    return s.substring(from, to);
                });
        Arbitrary<String> spliced = Combinators.combine(sample, Arbitraries.strings().ofMaxLength(20),
                Arbitraries.doubles().between(0, 1)).as((s, junk, at) -> {
                    int i = (int) (at * s.length());
                    return s.substring(0, i) + junk + s.substring(i);
                });
        return Arbitraries.oneOf(cut, spliced);
    }
}
