package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation a newcomer follows stays short and leads somewhere: README.md fits in 300 lines,
 * every relative link of every Markdown file of the repository points at a file (and heading) that
 * exists, and no comment in the Java sources cites a document outside the repository or an issue number
 * (the design is written down in ingest/DESIGN.md, the rest in the module READMEs).
 */
class DocsTest {
    /** What a newcomer reads in one sitting; everything else lives with what it describes. */
    static final int README_MAX_LINES = 300;

    private static final Pattern LINK = Pattern.compile("\\[[^\\]\\n]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern MD_NAME = Pattern.compile("[A-Za-z0-9_./-]*[A-Za-z0-9_-]\\.md\\b");
    private static final Pattern ISSUE_NUMBER = Pattern.compile("(?i)\\bissues?\\s*#?\\d+");
    /** Documents that exist only outside the repository, under any spelling. */
    private static final Pattern OUTSIDE = Pattern.compile("(?i)FORMATS\\.md|KAFKA-AND-TOOLS|/work/|shared/");

    private static final Path ROOT = repositoryRoot();

    @Test
    void readmeFitsInThreeHundredLines() throws IOException {
        int lines = Files.readAllLines(ROOT.resolve("README.md")).size();
        assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines, at most " + README_MAX_LINES);
    }

    @Test
    void everyRelativeLinkInTheMarkdownPointsAtAFile() {
        List<String> broken = new ArrayList<>();
        for (Path md : files(".md")) {
            Matcher m = LINK.matcher(withoutCode(read(md)));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                    continue; // a URL or mailto:
                }
                String file = target.replaceFirst("#.*$", "");
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : "";
                Path resolved = file.isEmpty() ? md : md.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(md) + ": " + target);
                } else if (!anchor.isEmpty() && Files.isRegularFile(resolved) && resolved.toString().endsWith(".md")
                        && !anchors(read(resolved)).contains(anchor)) {
                    broken.add(ROOT.relativize(md) + ": " + target + " (no such heading)");
                }
            }
        }
        assertEquals(List.of(), broken, "relative links to missing files");
    }

    @Test
    void sourceCommentsCiteOnlyTheRepositoryOrPublicSpecs() {
        List<String> bad = new ArrayList<>();
        for (Path java : files(".java")) {
            Path module = ROOT.relativize(java).getNameCount() > 1 ? ROOT.resolve(ROOT.relativize(java).getName(0)) : ROOT;
            for (String comment : comments(read(java))) {
                String where = ROOT.relativize(java) + ": " + comment.strip().lines().findFirst().orElse("");
                if (ISSUE_NUMBER.matcher(comment).find() || OUTSIDE.matcher(comment).find()) {
                    bad.add(where);
                    continue;
                }
                Matcher m = MD_NAME.matcher(comment);
                while (m.find()) {
                    if (!citesARepositoryFile(m.group(), module)) {
                        bad.add(where + "  [" + m.group() + "]");
                    }
                }
            }
        }
        assertEquals(List.of(), bad, "comments citing an issue number or a document outside the repository");
    }

    @Test
    void theCommentScannerFindsCommentsAndSkipsStrings() {
        List<String> found = comments("""
                String s = "// not a comment, see issue 1"; /* block DESIGN.md */
                char c = '"'; // line ingest/DESIGN.md
                String t = \"""
                    /* inside a text block */
                    \""";
                """);
        assertEquals(List.of(" block DESIGN.md ", " line ingest/DESIGN.md"), found);
        assertFalse(citesARepositoryFile("DESIGN.md", ROOT.resolve("ingest")));
        assertTrue(citesARepositoryFile("ingest/DESIGN.md", ROOT.resolve("ingest")));
        assertFalse(citesARepositoryFile("STYLE.md", ROOT.resolve("ingest")));
        assertTrue(ISSUE_NUMBER.matcher("(issue 3 item 7)").find());
        assertFalse(ISSUE_NUMBER.matcher("moby #30979").find());
        assertTrue(anchors("## Kafka: the `audit.events` topic\n").contains("kafka-the-auditevents-topic"));
    }

    /**
     * A Markdown name in a comment must name a file of the repository: a path from the root, the module
     * or the module's {@code src/test}; a bare name must exist somewhere and must not be a design or format
     * document, which always needs its path.
     */
    static boolean citesARepositoryFile(String name, Path module) {
        if (!name.contains("/")) {
            if (name.equals("DESIGN.md") || name.equals("FORMATS.md")) {
                return false;
            }
            return files(".md").stream().anyMatch(p -> p.getFileName().toString().equals(name));
        }
        return Stream.of(ROOT, module, module.resolve("src/test"))
                .anyMatch(base -> Files.exists(base.resolve(name)));
    }

    /** The comments of a Java source, line and block, with string, char and text-block literals skipped. */
    static List<String> comments(String src) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') {
                    end = src.indexOf("\"\"\"", end + 1);
                }
                i = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != c && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
            } else if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.add(src.substring(i + 2, end));
                i = end;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                end = end < 0 ? n : end;
                out.add(src.substring(i + 2, end));
                i = end + 2;
            } else {
                i++;
            }
        }
        return out;
    }

    /** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens. */
    static Set<String> anchors(String markdown) {
        return withoutCodeBlocks(markdown).lines()
                .filter(l -> l.matches("#{1,6} .*"))
                .map(l -> l.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'))
                .collect(Collectors.toSet());
    }

    private static String withoutCodeBlocks(String markdown) {
        return markdown.replaceAll("(?ms)^\\s*```.*?^\\s*```", "");
    }

    private static String withoutCode(String markdown) {
        return withoutCodeBlocks(markdown).replaceAll("`[^`\\n]*`", "");
    }

    private static List<Path> files(String suffix) {
        try (Stream<Path> walk = Files.walk(ROOT)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> {
                        String rel = ROOT.relativize(p).toString().replace('\\', '/');
                        return !rel.startsWith(".git") && !rel.contains("target/") && !rel.startsWith("data/")
                                && !rel.contains("node_modules/");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root: the nearest directory up from the working directory holding ingest/ and README.md. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("ingest")) && Files.isRegularFile(p.resolve("README.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }
}
