package io.auditwatch.ingest.classify;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads logrus text lines as dockerd and containerd write them
 * ({@code time="2022-06-20T04:44:26.663776226Z" level=info msg="Daemon has completed initialization"}):
 * {@code key=value} pairs, values bare or Go-quoted with backslash escapes. Index-based, one pass.
 */
final class Logfmt {

    /** dockerd lines carry a handful of fields ({@code commit=}, {@code version=}, {@code error=}...). */
    static final int MAX_FIELDS = 64;

    private Logfmt() {
    }

    /** A logrus text line starts with its timestamp, or with the level when timestamps are off. */
    static boolean looksLikeLogfmt(String msg) {
        return msg.startsWith("time=\"") || msg.startsWith("level=");
    }

    /** @param complete false when a quote was unclosed, a token lacked {@code =}, or the cap hit */
    record Parsed(Map<String, Object> fields, boolean complete) {
    }

    static Parsed parse(String s) {
        Map<String, Object> out = new LinkedHashMap<>();
        int n = s.length();
        int i = 0;
        boolean complete = true;
        StringBuilder value = new StringBuilder();
        while (i < n) {
            if (s.charAt(i) == ' ') {
                i++;
                continue;
            }
            if (out.size() >= MAX_FIELDS) {
                return new Parsed(out, false);
            }
            int k = i;
            while (k < n && s.charAt(k) != '=' && s.charAt(k) != ' ') {
                k++;
            }
            if (k >= n || s.charAt(k) != '=' || k == i) {
                complete = false;
                i = k == i ? k + 1 : k;
                continue;
            }
            String key = s.substring(i, k);
            i = k + 1;
            value.setLength(0);
            if (i < n && s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < n) {
                        char e = s.charAt(i++);
                        value.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        value.append(c);
                    }
                }
                complete &= closed;
            } else {
                int start = i;
                while (i < n && s.charAt(i) != ' ') {
                    i++;
                }
                value.append(s, start, i);
            }
            out.putIfAbsent(key, value.toString());
        }
        return new Parsed(out, complete);
    }
}
