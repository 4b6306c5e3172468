package io.auditwatch.ingest.inflate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Decompression with a bound on the output, so that a small compressed payload (a "bomb": 1 MiB of
 * zeros deflates to about 1 KiB) can never make the receiver allocate more than the bound. Reading
 * stops as soon as the output would pass it; nothing beyond the bound is ever held.
 */
public final class BoundedInflate {
    /** The buffer each read fills; the output grows in steps of at most this. */
    private static final int STEP = 8192;

    private BoundedInflate() {
    }

    /** The output would pass the bound, or the input is not what it claims to be. */
    public static final class InflateException extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean tooLarge;

        InflateException(String message, boolean tooLarge, Throwable cause) {
            super(message, cause);
            this.tooLarge = tooLarge;
        }

        /** True when the output passed the bound; false when the input was corrupt. */
        public boolean tooLarge() {
            return tooLarge;
        }
    }

    /** Inflates gzip (RFC 1952), several concatenated members included, to at most {@code maxBytes}. */
    public static byte[] gunzip(byte[] in, int maxBytes) throws InflateException {
        try {
            return read(new GZIPInputStream(new ByteArrayInputStream(in), STEP), maxBytes);
        } catch (InflateException e) {
            throw e;
        } catch (IOException e) {
            throw new InflateException("not gzip: " + e.getMessage(), false, e);
        }
    }

    /** Inflates zlib (RFC 1950) to at most {@code maxBytes}. */
    public static byte[] inflate(byte[] in, int maxBytes) throws InflateException {
        try {
            return read(new InflaterInputStream(new ByteArrayInputStream(in)), maxBytes);
        } catch (InflateException e) {
            throw e;
        } catch (IOException e) {
            throw new InflateException("not zlib: " + e.getMessage(), false, e);
        }
    }

    /** True when {@code in} starts with the gzip magic {@code 1f 8b} (RFC 1952 section 2.3.1). */
    public static boolean isGzip(byte[] in) {
        return in.length >= 2 && (in[0] & 0xff) == 0x1f && (in[1] & 0xff) == 0x8b;
    }

    /**
     * True when {@code in} starts with a zlib header (RFC 1950 section 2.2): method 8 (deflate) in
     * the low nibble of CMF, and CMF*256+FLG a multiple of 31.
     */
    public static boolean isZlib(byte[] in) {
        return in.length >= 2 && (in[0] & 0x0f) == 8 && (((in[0] & 0xff) << 8) | (in[1] & 0xff)) % 31 == 0;
    }

    private static byte[] read(InputStream in, int maxBytes) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, STEP * 4));
            byte[] buf = new byte[STEP];
            int n;
            while ((n = in.read(buf, 0, Math.min(STEP, maxBytes - out.size() + 1))) > 0) {
                if (out.size() + n > maxBytes) {
                    throw new InflateException("inflates past " + maxBytes + " bytes", true, null);
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }
}
