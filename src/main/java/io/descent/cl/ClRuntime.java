package io.descent.cl;

import io.descent.profile.PhaseTimer;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything descent holds on one device: a context, one in-order command queue with profiling, a
 * {@link PhaseTimer}, the built programs and the device arrays. Closing it releases all of them, and
 * closing it again does nothing.
 *
 * <p>Programs are cached by (file, precision, defines); the device is fixed per runtime, so the key
 * covers (device, precision, defines). Tuning defines ({@code WGS}, the work-group size; {@code
 * VEC}, rows per work-item step in data kernels; and the rest of {@link DeviceTuning}) come from the
 * device's tuning unless the caller overrides them.
 */
public final class ClRuntime implements AutoCloseable {
    private final DeviceInfo device;
    private cl_context context;
    private cl_command_queue queue;
    private cl_command_queue transfer;
    private final PhaseTimer timer = new PhaseTimer();
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Set<DeviceArray> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
    private final DeviceTuning tuning;
    private final Map<String, Long> launches = new LinkedHashMap<>();
    /** Launch shapes seen so far, in first-launch order (see {@link #launchShapes()}). */
    private final java.util.LinkedHashSet<String> shapes = new java.util.LinkedHashSet<>();
    private long buildNanos;
    private long builds;

    private ClRuntime(DeviceInfo device, DeviceTuning tuning, ProgramCache cache) {
        this.device = device;
        this.tuning = tuning;
        this.cache = device.isSimulator() ? null : cache;
        int[] err = new int[1];
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platformId());
        context = CL.clCreateContext(props, 1, new cl_device_id[]{device.deviceId()}, null, null, err);
        ClException.check(err[0], "creating an OpenCL context on '" + device.name() + "'");
        if (device.openclVersionNumber() >= 2.0) {
            cl_queue_properties qp = new cl_queue_properties();
            qp.addProperty(CL.CL_QUEUE_PROPERTIES, CL.CL_QUEUE_PROFILING_ENABLE);
            queue = CL.clCreateCommandQueueWithProperties(context, device.deviceId(), qp, err);
        } else {
            queue = legacyQueue(context, device.deviceId(), err);
        }
        if (err[0] != CL.CL_SUCCESS) {
            CL.clReleaseContext(context);
            context = null;
            ClException.check(err[0], "creating a profiling command queue on '" + device.name() + "'");
        }
    }

    @SuppressWarnings("deprecation")
    private static cl_command_queue legacyQueue(cl_context context, cl_device_id device, int[] err) {
        return CL.clCreateCommandQueue(context, device, CL.CL_QUEUE_PROFILING_ENABLE, err);
    }

    /** Opens a runtime on the device a selector names (see {@link Devices#select(String)}). */
    public static ClRuntime open(String selector) {
        return open(Devices.select(selector));
    }

    /** Opens a runtime on {@code device} with its table tuning and the overrides of {@value DeviceTuning#ENV}. */
    public static ClRuntime open(DeviceInfo device) {
        return open(device, DeviceTuning.forDevice(device));
    }

    /** Opens a runtime on {@code device} that builds and launches every kernel with {@code tuning}. */
    public static ClRuntime open(DeviceInfo device, DeviceTuning tuning) {
        if (device.deviceId() == null) {
            throw new IllegalArgumentException("device '" + device.name() + "' is a description, not a driver device");
        }
        String hazard = knownCrash(device, System.getenv());
        if (hazard != null) {
            throw new io.descent.UsageException(hazard);
        }
        return new ClRuntime(device, tuning, ProgramCache.fromEnvironment(System.getenv()));
    }

    /** A runtime with its own program cache (null: none), for the cache's tests. */
    static ClRuntime open(DeviceInfo device, ProgramCache cache) {
        return new ClRuntime(device, DeviceTuning.forDevice(device), cache);
    }

    /**
     * A message when {@code device}, with the environment {@code env}, is known to crash the process
     * on descent's kernels; else null. Oclgrind 21.x's uninitialized-value plugin
     * ({@code OCLGRIND_UNINITIALIZED=1}) dies with SIGSEGV on the first vector shuffle with an undefined
     * lane (which vload2 and vectorised code produce): it tests LLVM's undefined mask element against
     * the wrong constant and copies from 4 GiB past its buffer (benchmarks/oclgrind/README.md). A
     * refusal costs nothing already computed; a native crash would cost everything.
     */
    static String knownCrash(DeviceInfo device, Map<String, String> env) {
        if (device.isSimulator() && device.driverVersion().contains("Oclgrind 21.")
                && "1".equals(env.get("OCLGRIND_UNINITIALIZED"))) {
            return "OCLGRIND_UNINITIALIZED=1: the uninitialized-value plugin of " + device.driverVersion()
                    + " crashes the process on vector shuffles, which descent's kernels contain (fixed in Oclgrind"
                    + " 26.03); unset OCLGRIND_UNINITIALIZED to run under Oclgrind's memory and race checks";
        }
        return null;
    }

    public DeviceInfo device() {
        return device;
    }

    public cl_context context() {
        return live(context);
    }

    public cl_command_queue queue() {
        return live(queue);
    }

    public PhaseTimer timer() {
        return timer;
    }

    /**
     * A second in-order queue for uploads that overlap the compute queue's work (streaming);
     * made on first use, with profiling.
     */
    public cl_command_queue transferQueue() {
        live(context);
        if (transfer == null) {
            int[] err = new int[1];
            if (device.openclVersionNumber() >= 2.0) {
                cl_queue_properties qp = new cl_queue_properties();
                qp.addProperty(CL.CL_QUEUE_PROPERTIES, CL.CL_QUEUE_PROFILING_ENABLE);
                transfer = CL.clCreateCommandQueueWithProperties(context, device.deviceId(), qp, err);
            } else {
                transfer = legacyQueue(context, device.deviceId(), err);
            }
            ClException.check(err[0], "creating a transfer queue on '" + device.name() + "'");
        }
        return transfer;
    }

    /** Makes every later command of the compute queue wait for {@code event} (of another queue). */
    public void computeWaitsFor(org.jocl.cl_event event) {
        ClException.check(CL.clEnqueueBarrierWithWaitList(queue(), 1, new org.jocl.cl_event[]{event}, null),
                "making the compute queue wait for an upload");
    }

    /** This device's tuning: its table entry with the overrides of {@value DeviceTuning#ENV}. */
    public DeviceTuning deviceTuning() {
        return tuning;
    }

    /** Work-group size for reductions and data kernels on this device: a power of two. */
    public int workGroupSize() {
        return tuning.workGroupSize();
    }

    /** Work-groups for kernels that stream over rows of data (see {@link DeviceTuning.Key#GROUPS_PER_CU}). */
    public int dataGroups() {
        return tuning.dataGroups(device.computeUnits());
    }

    /** Values a work-item handles per step in data kernels (the kernels' VEC). */
    public int vectorWidth(Precision precision) {
        return tuning.vectorWidth(precision);
    }

    /** The tuning defines every program on this device gets for {@code precision}. */
    public Map<String, String> tuning(Precision precision) {
        return tuning.defines(precision);
    }

    /** {@code opencl/<file>} built for {@code precision} with the default tuning. */
    public Program program(String file, Precision precision) {
        return program(file, precision, Map.of());
    }

    /**
     * {@code opencl/<file>} built for {@code precision} with the default tuning overridden by
     * {@code defines}; built once, then served from the cache.
     *
     * @throws io.descent.UsageException   float64 on a device without it
     * @throws KernelBuildException        the source does not compile; the message holds the build log
     */
    public Program program(String file, Precision precision, Map<String, String> defines) {
        precision.requireSupportedBy(device);
        Map<String, String> all = new TreeMap<>(tuning(precision));
        all.putAll(defines);
        all.put("PRECISION", Integer.toString(precision.bits()));
        if (device.fp64()) {
            all.put("HAS_FP64", "1");
        }
        String options = all.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        String key = file + "|" + options;
        Program p = programs.get(key);
        if (p == null) {
            long t0 = System.nanoTime();
            try (io.descent.profile.PhaseTimer.Scope s = timer.wall(io.descent.profile.Phase.BUILD)) {
                p = build(file, precision, options);
            } finally {
                buildNanos += System.nanoTime() - t0;
                builds++;
                timer.countOperation(io.descent.profile.Phase.BUILD);
            }
            programs.put(key, p);
        }
        return p;
    }

    private Program build(String file, Precision precision, String options) {
        KernelSource.Loaded source = KernelSource.loadMapped(file);
        int[] err = new int[1];
        String key = cache == null ? null : ProgramCache.key(device, options, source.text());
        ProgramCache.Entry cached = key == null ? null : cache.load(key);
        if (cached != null) {
            cl_program bin = CL.clCreateProgramWithBinary(context(), 1, new cl_device_id[]{device.deviceId()},
                    new long[]{cached.binary().length}, new byte[][]{cached.binary()}, new int[1], err);
            if (err[0] == CL.CL_SUCCESS) {
                if (CL.clBuildProgram(bin, 1, new cl_device_id[]{device.deviceId()}, options, null, null) == CL.CL_SUCCESS) {
                    cachedBuilds++;
                    return new Program(this, file, precision, options, bin, cached.log());
                }
                CL.clReleaseProgram(bin);
            } // a stale or damaged entry: build from source and replace it
        }
        SignalChaining.noteOnce(device);
        cl_program prog = null;
        int rc = CL.CL_SUCCESS;
        String log = "";
        for (int attempt = 1; attempt <= BUILD_ATTEMPTS; attempt++) {
            prog = CL.clCreateProgramWithSource(context(), 1, new String[]{source.text()}, null, err);
            ClException.check(err[0], "creating program opencl/" + file);
            rc = CL.clBuildProgram(prog, 1, new cl_device_id[]{device.deviceId()}, options, null, null);
            if (rc == CL.CL_SUCCESS) break;
            log = source.mapLog(buildLog(prog));
            CL.clReleaseProgram(prog);
            prog = null;
            if (!spuriousBuildFailure(log)) break;
            spuriousBuilds++;
            try {
                Thread.sleep(5L * attempt); // away from the burst of signals that hit it (a collection's safepoints)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (rc != CL.CL_SUCCESS) {
            if (rc == CL.CL_BUILD_PROGRAM_FAILURE || rc == CL.CL_INVALID_BUILD_OPTIONS) {
                throw new KernelBuildException(file, options, device.name(), log);
            }
            throw new ClException(rc, "building opencl/" + file);
        }
        String built = source.mapLog(buildLog(prog));
        if (key != null) cache.store(key, binary(prog), built);
        return new Program(this, file, precision, options, prog, built);
    }

    /** The program's binary for this device, or null when the driver gives none. */
    private byte[] binary(cl_program prog) {
        long[] size = new long[1];
        if (CL.clGetProgramInfo(prog, CL.CL_PROGRAM_BINARY_SIZES, org.jocl.Sizeof.size_t, Pointer.to(size), null) != CL.CL_SUCCESS
                || size[0] < 1 || size[0] > Integer.MAX_VALUE - 8) {
            return null;
        }
        byte[] bin = new byte[(int) size[0]];
        if (CL.clGetProgramInfo(prog, CL.CL_PROGRAM_BINARIES, org.jocl.Sizeof.POINTER, Pointer.to(new Pointer[]{Pointer.to(bin)}),
                null) != CL.CL_SUCCESS) {
            return null;
        }
        return bin;
    }

    /** Programs made from the on-disk cache's binaries instead of the compiler ({@link ProgramCache}). */
    public int cachedBuilds() {
        return cachedBuilds;
    }

    /**
     * Builds tried before a spurious failure is reported. PoCL compiles with clang inside the JVM,
     * and clang writes its preprocessed source to a temporary file that LLVM deletes on any signal
     * in any thread: the JVM raises SIGSEGV on purpose (safepoint polls, null checks) while other
     * threads run, so a build can fail with "unable to rename temporary ... No such file or
     * directory" (benchmarks/pocl/README.md reproduces it). Such a failure says nothing about
     * the kernel, and the next build almost always succeeds. With {@link SignalChaining} active it
     * does not happen; the retries are for a JVM started without it.
     */
    static final int BUILD_ATTEMPTS = 10;
    private final ProgramCache cache;
    private int spuriousBuilds;
    private int cachedBuilds;

    static boolean spuriousBuildFailure(String log) {
        return log.contains("unable to rename temporary");
    }

    /** Builds that failed spuriously (see {@link #BUILD_ATTEMPTS}) and were tried again. */
    public int spuriousBuilds() {
        return spuriousBuilds;
    }

    private String buildLog(cl_program prog) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(prog, device.deviceId(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != CL.CL_SUCCESS) {
            return "";
        }
        byte[] buf = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(prog, device.deviceId(), CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A new array of {@code length} values; contents are undefined until written or filled. */
    public DeviceArray allocate(Precision precision, long length) {
        if (length < 1) {
            throw new IllegalArgumentException("device array length must be at least 1, got " + length);
        }
        long bytes = length * precision.bytes();
        if (bytes > device.maxAllocation()) {
            throw new ClException(CL.CL_MEM_OBJECT_ALLOCATION_FAILURE, String.format(
                    "allocating %s for %d %s values on '%s' (one buffer may hold at most %s)",
                    Format.bytes(bytes), length, precision.label(), device.name(), Format.bytes(device.maxAllocation())));
        }
        int[] err = new int[1];
        cl_mem mem = CL.clCreateBuffer(context(), CL.CL_MEM_READ_WRITE, bytes, null, err);
        ClException.check(err[0], String.format("allocating %s for %d %s values on '%s'",
                Format.bytes(bytes), length, precision.label(), device.name()));
        DeviceArray a = new DeviceArray(this, precision, length, mem);
        arrays.add(a);
        return a;
    }

    /** A new array holding {@code values} (rounded to float32 in fp32). */
    public DeviceArray upload(Precision precision, double[] values) {
        DeviceArray a = allocate(precision, values.length);
        try {
            return a.write(values);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * A marker enqueued now, to hand to {@link PhaseTimer#recordSpan} with the event of a library call
     * that enqueues several kernels (CLBlast): the caller owns it until it is recorded.
     */
    public org.jocl.cl_event marker() {
        org.jocl.cl_event ev = new org.jocl.cl_event();
        ClException.check(CL.clEnqueueMarkerWithWaitList(queue(), 0, null, ev), "enqueueing a marker");
        return ev;
    }

    /** Hands the enqueued commands to the device without waiting (so a second device starts while the host goes on). */
    public void flush() {
        live(context);
        ClException.check(CL.clFlush(queue()), "flushing the queue");
    }

    /** Waits for every enqueued command and reads their timings. */
    public void finish() {
        if (transfer != null) {
            ClException.check(CL.clFinish(transfer), "waiting for the device's uploads");
        }
        ClException.check(CL.clFinish(queue()), "waiting for the device");
        timer.drainAll();
    }

    /** Host nanoseconds spent building programs so far (compiler and kernel creation). */
    public long buildNanos() {
        return buildNanos;
    }

    /** Programs built so far (cache misses). */
    public long builds() {
        return builds;
    }

    /** The programs built so far (cached), in build order. */
    public java.util.List<Program> programs() {
        return java.util.List.copyOf(programs.values());
    }

    /**
     * Launches per kernel so far, keyed "file:kernel" (e.g. {@code mlp.cl:mlp_hvp}), in first-launch
     * order: what a run exercised, for the conformance tests' coverage check.
     */
    public Map<String, Long> launches() {
        return Collections.unmodifiableMap(launches);
    }

    void noteLaunch(Program program, String kernel, long[] global, long[] local) {
        launches.merge(program.file() + ":" + kernel, 1L, Long::sum);
        shapes.add(shapeKey(program, kernel, global, local));
    }

    /**
     * A launch shape: the program (file and build options), the kernel, and the work-group size, or
     * the global size where the driver chooses the group (it chooses by the global size). A driver
     * may compile a kernel's work-group function at the first launch of each shape (PoCL does, inside
     * clEnqueueNDRangeKernel, after clBuildProgram has returned), so a shape seen for the first time
     * inside a timed run may put a compiler into that run's time.
     */
    static String shapeKey(Program program, String kernel, long[] global, long[] local) {
        return program.file() + " [" + program.options() + "] " + kernel + " "
                + (local != null ? "local " + java.util.Arrays.toString(local) : "auto for global " + java.util.Arrays.toString(global));
    }

    /** How many distinct launch shapes this runtime has launched so far (a mark for {@link #launchShapesSince}). */
    public int launchShapes() {
        return shapes.size();
    }

    /** The shapes first launched after {@code mark} (a value of {@link #launchShapes()}), in launch order. */
    public java.util.List<String> launchShapesSince(int mark) {
        return shapes.stream().skip(mark).collect(java.util.stream.Collectors.toList());
    }

    /** Device arrays allocated through this runtime and not yet closed. */
    public int liveArrays() {
        return arrays.size();
    }

    public boolean isClosed() {
        return context == null;
    }

    void forget(DeviceArray a) {
        arrays.remove(a);
    }

    @Override
    public void close() {
        if (context == null) {
            return;
        }
        try {
            if (queue != null) {
                CL.clFinish(queue);
            }
            if (transfer != null) {
                CL.clFinish(transfer);
            }
            timer.drainAll();
        } finally {
            for (DeviceArray a : arrays.toArray(new DeviceArray[0])) {
                a.close();
            }
            for (Program p : programs.values()) {
                p.close();
            }
            programs.clear();
            if (queue != null) {
                CL.clReleaseCommandQueue(queue);
                queue = null;
            }
            if (transfer != null) {
                CL.clReleaseCommandQueue(transfer);
                transfer = null;
            }
            CL.clReleaseContext(context);
            context = null;
        }
    }

    private <T> T live(T handle) {
        if (handle == null) {
            throw new IllegalStateException("the OpenCL runtime for '" + device.name() + "' is closed");
        }
        return handle;
    }
}
