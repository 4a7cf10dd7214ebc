package io.descent.cl;

import io.descent.profile.Phase;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * One kernel of a {@link Program}. Arguments are set by position, then {@link #launch} enqueues it
 * under a {@link Phase}; its profiling event goes to the runtime's timer. Owned and released by its
 * program.
 *
 * <p>Argument types: {@link DeviceArray} (a buffer), {@link Integer} (int), {@link Long} (long/ulong),
 * {@link Double} (the program's {@code real}: float in fp32 programs, double in fp64), {@link Float}
 * (float), {@link Local} (local memory of a size in bytes).
 */
public final class Kernel {
    /** Local memory argument of {@code bytes} bytes. */
    public record Local(long bytes) {
    }

    private final ClRuntime runtime;
    private final Program program;
    private final String name;
    private cl_kernel kernel;

    Kernel(ClRuntime runtime, Program program, String name, cl_kernel kernel) {
        this.runtime = runtime;
        this.program = program;
        this.name = name;
        this.kernel = kernel;
    }

    public String name() {
        return name;
    }

    /** Sets all arguments, in order. */
    public Kernel args(Object... args) {
        for (int i = 0; i < args.length; i++) {
            arg(i, args[i]);
        }
        return this;
    }

    /** Sets argument {@code index}. */
    public Kernel arg(int index, Object value) {
        int rc;
        if (value instanceof DeviceArray a) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(a.mem()));
        } else if (value instanceof Integer v) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[]{v}));
        } else if (value instanceof Long v) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_long, Pointer.to(new long[]{v}));
        } else if (value instanceof Double v) {
            rc = program.precision() == Precision.FP64
                    ? CL.clSetKernelArg(kernel, index, Sizeof.cl_double, Pointer.to(new double[]{v}))
                    : CL.clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[]{v.floatValue()}));
        } else if (value instanceof Float v) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[]{v}));
        } else if (value instanceof Local l) {
            rc = CL.clSetKernelArg(kernel, index, l.bytes(), null);
        } else if (value instanceof IndexArray ia) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(ia.mem()));
        } else if (value instanceof cl_mem m) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(m));
        } else {
            throw new IllegalArgumentException("kernel " + name + " argument " + index + ": unsupported type "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        ClException.check(rc, "setting argument " + index + " of kernel " + name);
        return this;
    }

    /**
     * Enqueues the kernel over {@code global} work-items in groups of {@code local} (0 lets the driver
     * choose); {@code global} is rounded up to a multiple of {@code local}, so kernels check bounds.
     */
    public void launch(Phase phase, long global, long local) {
        long g = local > 0 ? roundUp(global, local) : global;
        launch(phase, new long[]{g}, local > 0 ? new long[]{local} : null);
    }

    /** Enqueues over an N-dimensional range (sizes used as given). */
    public void launch(Phase phase, long[] global, long[] local) {
        if (kernel == null) {
            throw new IllegalStateException("kernel " + name + " is released");
        }
        cl_event event = new cl_event();
        int rc = CL.clEnqueueNDRangeKernel(runtime.queue(), kernel, global.length, null, global, local, 0, null, event);
        ClException.check(rc, "launching kernel " + name + " (" + program.file() + ", " + program.precision().label() + ")");
        runtime.timer().record(phase, event);
        runtime.noteLaunch(program, name, global, local);
    }

    /**
     * Launches one work-group of {@code local} items: with arguments that give it empty work (a row
     * or element count of 0, which every kernel checks), this only makes a driver that compiles at the
     * first launch of a work-group size (PoCL) compile that shape now, when its owner is set up (an
     * optimizer's init, outside the timed run), rather than inside a timed step. The empty launch's
     * few microseconds of device time are booked to {@link Phase#UPDATE}, the phase of the kernels it
     * warms: {@code build} stays host time only.
     */
    public void warm(long local) {
        launch(Phase.UPDATE, new long[]{local}, new long[]{local});
    }

    public static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    void release() {
        if (kernel != null) {
            CL.clReleaseKernel(kernel);
            kernel = null;
        }
    }
}
