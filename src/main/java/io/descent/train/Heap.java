package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.Format;

/**
 * Refuses, before allocating, what the Java heap cannot hold: a clear message naming the size and
 * -Xmx, not an OutOfMemoryError part-way.
 */
public final class Heap {
    /** Java arrays hold at most about 2^31 elements. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Heap() {
    }

    /**
     * @param what   what needs the memory, e.g. "--rows 100000000 x 11 columns of generated data"
     * @param values doubles held at once in one array (checked against the array limit)
     * @param bytes  heap bytes needed in all
     * @param fix    what to do instead, e.g. "lower --rows"
     */
    public static void require(String what, long values, long bytes, String fix) {
        if (values > MAX_ARRAY) {
            throw new UsageException(what + ": " + values + " values, more than a Java array holds (2^31): " + fix);
        }
        Runtime r = Runtime.getRuntime();
        long max = r.maxMemory();
        long free = max - (r.totalMemory() - r.freeMemory());
        if (bytes > free) {
            throw new UsageException(what + ": about " + Format.bytes(bytes) + " of Java heap needed; " + Format.bytes(free)
                    + " of this JVM's " + Format.bytes(max) + " (-Xmx) is free: " + fix + ", or give Java more heap with "
                    + "-Xmx (DESCENT_JAVA_OPTS=-Xmx16g for the descent script)");
        }
    }
}
