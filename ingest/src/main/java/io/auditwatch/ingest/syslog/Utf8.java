package io.auditwatch.ingest.syslog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 checks without allocation: Docker passes container bytes through unvalidated
 * (ingest/README.md, "Docker's syslog log driver"). The one UTF-8 check of the data path: the
 * envelope's choice between {@code raw} and {@code raw_base64} uses it too.
 */
public final class Utf8 {

    /** Reads 8 bytes at a time so that the common all-ASCII MSG is checked a word per step. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** Decodes {@code bytes[from, to)}, replacing malformed sequences with U+FFFD. */
    static String decode(byte[] bytes, int from, int to) {
        return from >= to ? "" : new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    /**
     * True when {@code bytes[from, to)} is well-formed UTF-8 (RFC 3629 section 4: no overlong forms,
     * no surrogates, nothing above U+10FFFF).
     */
    public static boolean isValid(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            while (i + Long.BYTES <= to && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                i += Long.BYTES;
            }
            if (i >= to) {
                break;
            }
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xff;
            if (b < 0xC2 || b > 0xF4) {
                return false;
            }
            if (b < 0xE0) {
                if (i + 1 >= to || !continuation(bytes[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (b < 0xF0) {
                if (i + 2 >= to) {
                    return false;
                }
                int b1 = bytes[i + 1] & 0xff;
                if ((b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 > 0x9F)
                        || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])) {
                    return false;
                }
                i += 3;
            } else {
                if (i + 3 >= to) {
                    return false;
                }
                int b1 = bytes[i + 1] & 0xff;
                if ((b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 > 0x8F)
                        || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
                    return false;
                }
                i += 4;
            }
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
