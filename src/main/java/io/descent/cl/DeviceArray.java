package io.descent.cl;

import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * A one-dimensional array of float32 or float64 values in device memory, owned by this object:
 * {@link #close()} releases it (and its {@link ClRuntime} releases any left open when it closes).
 * Host copies run under {@link Phase#TRANSFER}; a read counts as a host read.
 */
public final class DeviceArray implements AutoCloseable {
    private final ClRuntime runtime;
    private final Precision precision;
    private final long length;
    private cl_mem mem;

    DeviceArray(ClRuntime runtime, Precision precision, long length, cl_mem mem) {
        this.runtime = runtime;
        this.precision = precision;
        this.length = length;
        this.mem = mem;
    }

    public Precision precision() {
        return precision;
    }

    public long length() {
        return length;
    }

    public long bytes() {
        return length * precision.bytes();
    }

    public boolean isClosed() {
        return mem == null;
    }

    /** The OpenCL buffer, for kernel arguments. */
    public cl_mem mem() {
        if (mem == null) {
            throw new IllegalStateException("device array of " + length + " " + precision.label() + " is closed");
        }
        return mem;
    }

    /** Copies {@code src} to the start of this array (rounded to float32 in an fp32 array). */
    public DeviceArray write(double[] src) {
        return write(0, src, 0, src.length);
    }

    /** Copies {@code count} values of {@code src} from {@code srcOffset} to element {@code offset}. */
    public DeviceArray write(long offset, double[] src, int srcOffset, int count) {
        checkRange(offset, count);
        Pointer p = precision == Precision.FP64 ? Pointer.to(src).withByteOffset((long) srcOffset * 8)
                : Pointer.to(toFloat(src, srcOffset, count));
        PhaseTimer timer = runtime.timer();
        try (PhaseTimer.Scope s = timer.wall(Phase.TRANSFER)) {
            cl_event ev = new cl_event();
            ClException.check(CL.clEnqueueWriteBuffer(runtime.queue(), mem(), CL.CL_TRUE, offset * precision.bytes(),
                    (long) count * precision.bytes(), p, 0, null, ev), "writing " + count + " values to the device");
            timer.record(Phase.TRANSFER, ev);
        }
        return this;
    }

    /**
     * Copies {@code count} values from the start of {@code src} (a direct buffer of values of this
     * array's precision, native order, which the caller keeps unchanged until the copy is done) to
     * element {@code offset}, on the runtime's transfer queue, after {@code waitFor} (or at once when
     * null), without waiting. Returns the copy's event, which the caller releases; its time goes to
     * {@link Phase#TRANSFER}.
     */
    public cl_event writeAsync(long offset, java.nio.ByteBuffer src, long count, cl_event waitFor) {
        if (count < 1 || count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an asynchronous copy of " + count + " values");
        }
        checkRange(offset, (int) count);
        if (!src.isDirect() || src.capacity() < count * precision.bytes()) {
            throw new IllegalArgumentException("asynchronous copies need a direct buffer of at least " + count + " values");
        }
        cl_event ev = new cl_event();
        cl_event[] wait = waitFor == null ? null : new cl_event[]{waitFor};
        // JOCL waits for a non-blocking copy's event on a thread of its own (to hold the buffer until
        // it is done); Oclgrind's queues are not safe for that, two kernels run at once and it
        // aborts (benchmarks/oclgrind/README.md), so on a simulator the copy blocks.
        boolean blocking = runtime.device().isSimulator();
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.TRANSFER)) {
            ClException.check(CL.clEnqueueWriteBuffer(runtime.transferQueue(), mem(), blocking ? CL.CL_TRUE : CL.CL_FALSE, offset * precision.bytes(),
                    count * precision.bytes(), Pointer.to(src), wait == null ? 0 : 1, wait, ev), "uploading a chunk of rows");
        }
        CL.clRetainEvent(ev);
        runtime.timer().record(Phase.TRANSFER, ev);
        return ev;
    }

    /** Copies the first {@code count} values into the direct buffer {@code dst} (native order), waiting for them. */
    public void readInto(java.nio.ByteBuffer dst, long count) {
        checkRange(0, (int) Math.min(count, Integer.MAX_VALUE));
        PhaseTimer timer = runtime.timer();
        try (PhaseTimer.Scope s = timer.wall(Phase.TRANSFER)) {
            cl_event ev = new cl_event();
            ClException.check(CL.clEnqueueReadBuffer(runtime.queue(), mem(), CL.CL_TRUE, 0, count * precision.bytes(),
                    Pointer.to(dst), 0, null, ev), "reading " + count + " values from the device");
            timer.record(Phase.TRANSFER, ev);
            timer.countHostRead();
        }
    }

    /** All values, as doubles. */
    public double[] read() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("array of " + length + " values is too long for one host array");
        }
        return read(0, (int) length);
    }

    /** {@code count} values from element {@code offset}. Waits for the queue. */
    public double[] read(long offset, int count) {
        checkRange(offset, count);
        double[] out = new double[count];
        float[] f = precision == Precision.FP32 ? new float[count] : null;
        Pointer p = f != null ? Pointer.to(f) : Pointer.to(out);
        PhaseTimer timer = runtime.timer();
        try (PhaseTimer.Scope s = timer.wall(Phase.TRANSFER)) {
            cl_event ev = new cl_event();
            ClException.check(CL.clEnqueueReadBuffer(runtime.queue(), mem(), CL.CL_TRUE, offset * precision.bytes(),
                    (long) count * precision.bytes(), p, 0, null, ev), "reading " + count + " values from the device");
            timer.record(Phase.TRANSFER, ev);
            timer.countHostRead();
        }
        if (f != null) {
            for (int i = 0; i < count; i++) {
                out[i] = f[i];
            }
        }
        return out;
    }

    /** One value. Waits for the queue. */
    public double get(long index) {
        return read(index, 1)[0];
    }

    /** Sets every element to {@code value} on the device, under {@code phase}. */
    public DeviceArray fill(double value, Phase phase) {
        Pointer p = precision == Precision.FP64 ? Pointer.to(new double[]{value}) : Pointer.to(new float[]{(float) value});
        cl_event ev = new cl_event();
        ClException.check(CL.clEnqueueFillBuffer(runtime.queue(), mem(), p, precision.bytes(), 0, bytes(), 0, null, ev),
                "filling a device array");
        runtime.timer().record(phase, ev);
        return this;
    }

    /** Copies all of {@code src} (same precision, no longer than this) into the start of this array. */
    public DeviceArray copyFrom(DeviceArray src, Phase phase) {
        if (src.precision != precision || src.length > length) {
            throw new IllegalArgumentException("copy of " + src.length + " " + src.precision.label() + " into "
                    + length + " " + precision.label());
        }
        cl_event ev = new cl_event();
        ClException.check(CL.clEnqueueCopyBuffer(runtime.queue(), src.mem(), mem(), 0, 0, src.bytes(), 0, null, ev),
                "copying a device array");
        runtime.timer().record(phase, ev);
        return this;
    }

    /**
     * Copies {@code count} values of {@code src} from element {@code srcOffset} to element {@code
     * offset} of this array (same precision), on the device, under {@code phase}.
     */
    public DeviceArray copyRange(DeviceArray src, long srcOffset, long offset, long count, Phase phase) {
        if (src.precision != precision || srcOffset < 0 || offset < 0 || count < 0 || srcOffset + count > src.length
                || offset + count > length) {
            throw new IllegalArgumentException("copy of " + count + " values from [" + srcOffset + "] of " + src.length
                    + " " + src.precision.label() + " to [" + offset + "] of " + length + " " + precision.label());
        }
        if (count == 0) {
            return this;
        }
        cl_event ev = new cl_event();
        long b = precision.bytes();
        ClException.check(CL.clEnqueueCopyBuffer(runtime.queue(), src.mem(), mem(), srcOffset * b, offset * b, count * b,
                0, null, ev), "copying a device array range");
        runtime.timer().record(phase, ev);
        return this;
    }

    @Override
    public void close() {
        if (mem != null) {
            CL.clReleaseMemObject(mem);
            mem = null;
            runtime.forget(this);
        }
    }

    private void checkRange(long offset, int count) {
        if (offset < 0 || count < 0 || offset + count > length) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + (offset + count) + ") of an array of " + length);
        }
    }

    private static float[] toFloat(double[] src, int from, int count) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = (float) src[from + i];
        }
        return f;
    }
}
