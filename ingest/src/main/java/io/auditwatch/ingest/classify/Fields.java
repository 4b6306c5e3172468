package io.auditwatch.ingest.classify;

import java.util.Map;
import java.util.Set;

/**
 * The index-based {@code key=value} tokenizer shared by audit records and their userspace
 * {@code msg='...'} payloads. No regex and no backtracking: one left-to-right pass, so the cost is
 * linear in the message length whatever the input.
 */
final class Fields {

    private Fields() {
    }

    /** @param complete false when a token lacked {@code =}, a quote was unclosed, or the cap hit */
    record Result(boolean complete) {
    }

    /**
     * Reads fields from {@code s} starting at {@code from}. Values are stored without their quotes;
     * keys whose value was unquoted go to {@code unquoted} (the hex-encoding rule needs it). Fields
     * after {@link AuditRecordParser#ENRICHED_SEPARATOR}, and upper-case keys, go to
     * {@code interpreted}. The first occurrence of a key wins.
     */
    static Result read(String s, int from, Map<String, String> raw, Map<String, String> interpreted,
                       Set<String> unquoted, int maxFields) {
        return scan(s, from, raw, interpreted, unquoted, maxFields, null);
    }

    /**
     * Reads a userspace message ({@code text=auditwatch-pulse exe="/usr/sbin/auditctl" ...}); bare
     * words (older auditctl writes the text without {@code text=}) are joined under {@code text}.
     */
    static void readWords(String s, Map<String, String> out, int maxFields) {
        StringBuilder words = new StringBuilder();
        scan(s, 0, out, out, null, maxFields, words);
        if (words.length() > 0) {
            out.putIfAbsent("text", words.toString());
        }
    }

    private static Result scan(String s, int from, Map<String, String> raw, Map<String, String> interpreted,
                               Set<String> unquoted, int maxFields, StringBuilder words) {
        int n = s.length();
        int i = from;
        int count = 0;
        boolean complete = true;
        boolean enriched = false;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            if (c == AuditRecordParser.ENRICHED_SEPARATOR) {
                enriched = true;
                i++;
                continue;
            }
            if (count >= maxFields) {
                return new Result(false);
            }
            int k = i;
            while (k < n && s.charAt(k) != '=' && s.charAt(k) != ' '
                    && s.charAt(k) != AuditRecordParser.ENRICHED_SEPARATOR) {
                k++;
            }
            if (k >= n || s.charAt(k) != '=' || k == i) {
                if (words != null) {
                    if (words.length() > 0) {
                        words.append(' ');
                    }
                    words.append(s, i, k);
                } else {
                    complete = false;
                }
                i = k == i ? k + 1 : k;
                continue;
            }
            String key = s.substring(i, k);
            int v = k + 1;
            int valueStart;
            int valueEnd;
            boolean quoted = true;
            char open = v < n ? s.charAt(v) : ' ';
            char closeChar = open == '"' ? '"' : open == '\'' ? '\'' : open == '{' ? '}' : 0;
            if (closeChar != 0) {
                valueStart = v + 1;
                int close = s.indexOf(closeChar, valueStart);
                if (close < 0) {
                    complete = false;
                    valueEnd = n;
                    i = n;
                } else {
                    valueEnd = close;
                    i = close + 1;
                }
                if (open == '{') {
                    valueStart = v;
                    valueEnd = Math.min(n, valueEnd + 1);
                }
            } else {
                quoted = false;
                valueStart = v;
                valueEnd = v;
                while (valueEnd < n && s.charAt(valueEnd) != ' '
                        && s.charAt(valueEnd) != AuditRecordParser.ENRICHED_SEPARATOR) {
                    valueEnd++;
                }
                i = valueEnd;
            }
            Map<String, String> target = enriched || isUpperCaseName(key) ? interpreted : raw;
            if (target.putIfAbsent(key, s.substring(valueStart, valueEnd)) == null
                    && !quoted && unquoted != null && target == raw) {
                unquoted.add(key);
            }
            count++;
        }
        return new Result(complete);
    }

    /** ENRICHED names are the upper-cased raw names ({@code AUID}, {@code SYSCALL}, {@code SADDR}). */
    static boolean isUpperCaseName(String key) {
        boolean letter = false;
        for (int j = 0; j < key.length(); j++) {
            char c = key.charAt(j);
            if (c >= 'A' && c <= 'Z') {
                letter = true;
            } else if (!(c >= '0' && c <= '9') && c != '_' && c != '-') {
                return false;
            }
        }
        return letter;
    }
}
