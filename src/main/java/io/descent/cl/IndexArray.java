package io.descent.cl;

import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/** An array of 32-bit unsigned row indices in device memory (mini-batches), owned by this object. */
public final class IndexArray implements AutoCloseable {
    private final ClRuntime runtime;
    private final int length;
    private cl_mem mem;

    private IndexArray(ClRuntime runtime, int length, cl_mem mem) {
        this.runtime = runtime;
        this.length = length;
        this.mem = mem;
    }

    /** A device copy of {@code indices} (each must be >= 0). */
    public static IndexArray upload(ClRuntime runtime, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("an index array needs at least one index");
        }
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(runtime.context(), CL.CL_MEM_READ_WRITE, (long) indices.length * Sizeof.cl_uint,
                null, err);
        ClException.check(err[0], "allocating " + indices.length + " row indices");
        IndexArray a = new IndexArray(runtime, indices.length, m);
        try {
            a.write(indices);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        return a;
    }

    public int length() {
        return length;
    }

    public cl_mem mem() {
        if (mem == null) {
            throw new IllegalStateException("index array is closed");
        }
        return mem;
    }

    /** Overwrites the first {@code indices.length} indices. */
    public void write(int[] indices) {
        if (indices.length > length) {
            throw new IndexOutOfBoundsException(indices.length + " indices into an array of " + length);
        }
        PhaseTimer timer = runtime.timer();
        try (PhaseTimer.Scope s = timer.wall(Phase.TRANSFER)) {
            cl_event ev = new cl_event();
            ClException.check(CL.clEnqueueWriteBuffer(runtime.queue(), mem(), CL.CL_TRUE, 0,
                    (long) indices.length * Sizeof.cl_uint, Pointer.to(indices), 0, null, ev), "writing row indices");
            timer.record(Phase.TRANSFER, ev);
        }
    }

    /** All indices, read back (one host read). */
    public int[] read() {
        int[] out = new int[length];
        PhaseTimer timer = runtime.timer();
        try (PhaseTimer.Scope s = timer.wall(Phase.TRANSFER)) {
            cl_event ev = new cl_event();
            ClException.check(CL.clEnqueueReadBuffer(runtime.queue(), mem(), CL.CL_TRUE, 0,
                    (long) length * Sizeof.cl_uint, Pointer.to(out), 0, null, ev), "reading row indices");
            timer.record(Phase.TRANSFER, ev);
            timer.countHostRead();
        }
        return out;
    }

    @Override
    public void close() {
        if (mem != null) {
            CL.clReleaseMemObject(mem);
            mem = null;
        }
    }
}
