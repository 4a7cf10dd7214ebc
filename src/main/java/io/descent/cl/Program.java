package io.descent.cl;

import org.jocl.CL;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.util.HashMap;
import java.util.Map;

/**
 * A built program: one kernel file compiled for one device, precision and set of defines. Owned by
 * its {@link ClRuntime}'s cache, which closes it; it owns its kernels.
 */
public final class Program implements AutoCloseable {
    private final ClRuntime runtime;
    private final String file;
    private final Precision precision;
    private final String options;
    private final String buildLog;
    private cl_program program;
    private final Map<String, Kernel> kernels = new HashMap<>();

    Program(ClRuntime runtime, String file, Precision precision, String options, cl_program program, String buildLog) {
        this.buildLog = buildLog == null ? "" : buildLog.strip();
        this.runtime = runtime;
        this.file = file;
        this.precision = precision;
        this.options = options;
        this.program = program;
    }

    /** The kernel of that name; created once, then reused (arguments are set before each launch). */
    public Kernel kernel(String name) {
        if (program == null) {
            throw new IllegalStateException("program " + file + " is closed");
        }
        return kernels.computeIfAbsent(name, n -> {
            int[] err = new int[1];
            cl_kernel k = CL.clCreateKernel(program, n, err);
            ClException.check(err[0], "clCreateKernel(" + n + ") in opencl/" + file);
            return new Kernel(runtime, this, n, k);
        });
    }

    public Precision precision() {
        return precision;
    }

    public String file() {
        return file;
    }

    /** What the compiler said while building it (warnings; empty when it said nothing). */
    public String buildLog() {
        return buildLog;
    }

    /** The compiler options it was built with, e.g. {@code -DPRECISION=64 -DWGS=256}. */
    public String options() {
        return options;
    }

    @Override
    public void close() {
        if (program == null) {
            return;
        }
        for (Kernel k : kernels.values()) {
            k.release();
        }
        kernels.clear();
        CL.clReleaseProgram(program);
        program = null;
    }
}
