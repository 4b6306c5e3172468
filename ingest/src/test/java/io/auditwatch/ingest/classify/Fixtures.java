package io.auditwatch.ingest.classify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Loads the fixtures under {@code src/test/resources/classify} (provenance in its README.md). */
final class Fixtures {
    private Fixtures() {
    }

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/classify/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's lines, without line terminators and without empty lines. */
    static List<String> lines(String name) {
        return Arrays.stream(text(name).split("\n")).filter(l -> !l.isEmpty()).toList();
    }

    /** The single line of a one-line fixture. */
    static String line(String name) {
        List<String> lines = lines(name);
        if (lines.size() != 1) {
            throw new IllegalStateException(name + " has " + lines.size() + " lines");
        }
        return lines.get(0);
    }

    /** The first line of {@code name} containing {@code needle}. */
    static String lineWith(String name, String needle) {
        return lines(name).stream().filter(l -> l.contains(needle)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no line with " + needle));
    }
}
