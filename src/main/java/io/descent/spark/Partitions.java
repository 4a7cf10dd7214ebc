package io.descent.spark;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.RowSource;
import io.descent.objective.DataObjective;
import io.descent.objective.Objective;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor side: each executor JVM opens one {@link ClRuntime} per device it is given, uploads a
 * partition's rows once, and keeps the partition's objective on the device, keyed by data set and
 * partition, across evaluations. Nothing here survives the JVM: a task that finds no entry (a new or
 * replacement executor, or a retried task) rebuilds it from the partition's rows.
 *
 * <p>The device: the first address of the task's {@code gpu} resource (Spark's GPU scheduling,
 * {@code spark.executor.resource.gpu.amount} and {@code spark.task.resource.gpu.amount}) picks the
 * GPU of that index; without one, {@code DESCENT_DEVICE} or the default (the first GPU, else PoCL).
 * Tasks on one device take turns: a device runs one partition's evaluation at a time.
 */
final class Partitions {
    /**
     * Header of a partition's result: rows, device nanoseconds, task nanoseconds (combined by max),
     * blocks this task had to build (a new or replacement executor, or a retried task).
     */
    static final int HEADER = 4;
    /** Local property naming a partition whose first attempt fails, with its cached block dropped (tests). */
    static final String FAIL_FIRST_ATTEMPT = "descent.spark.failFirstAttempt";

    private static final Map<String, ClRuntime> RUNTIMES = new ConcurrentHashMap<>();
    private static final Map<String, Block> BLOCKS = new ConcurrentHashMap<>();

    private Partitions() {
    }

    /** One partition on its device: the objective over its rows and the arrays an evaluation uses. */
    private static final class Block implements AutoCloseable {
        final ClRuntime rt;
        final Objective objective;
        final int rows;
        final int p;
        final DeviceArray w, v, steps, vector, scalars;
        DeviceArray matrix;

        Block(ClRuntime rt, Objective objective, int rows, Precision precision) {
            this.rt = rt;
            this.objective = objective;
            this.rows = rows;
            this.p = objective.parameterCount();
            w = rt.allocate(precision, p);
            v = rt.allocate(precision, p);
            steps = rt.allocate(precision, Objective.MAX_STEPS);
            vector = rt.allocate(precision, p);
            scalars = rt.allocate(precision, Objective.MAX_STEPS);
        }

        @Override
        public void close() {
            for (DeviceArray a : new DeviceArray[]{w, v, steps, vector, scalars, matrix}) if (a != null) a.close();
            objective.close();
            if (objective instanceof DataObjective d) d.data().close();
        }
    }

    /**
     * What {@link #load} found: the partition's rows, where it lives (executor, its host and process
     * id, and device), and what building it cost.
     */
    record Loaded(int partition, String executor, String host, long pid, String device, int rows, double buildSeconds,
                  boolean cached) implements java.io.Serializable {
    }

    /**
     * Builds (or finds) partition {@code index}'s block: the driver calls it once per partition up
     * front, and again at the end to learn where the blocks are then.
     */
    static Loaded load(BlockSpec spec, int index, Iterator<Row> rows) {
        long t0 = System.nanoTime();
        String key = spec.datasetId() + "/" + index;
        boolean cached = BLOCKS.containsKey(key);
        Block b = block(spec, index, rows);
        return new Loaded(index, executorId(), host(), ProcessHandle.current().pid(), b == null ? "-" : b.rt.device().name(),
                b == null ? 0 : b.rows, (System.nanoTime() - t0) * 1e-9, cached);
    }

    /** This executor's host, as Spark's block manager knows it (else the machine's name). */
    private static String host() {
        SparkEnv env = SparkEnv.get();
        if (env != null && env.blockManager() != null && env.blockManager().blockManagerId() != null) {
            return env.blockManager().blockManagerId().host();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Partition {@code index}'s share of one evaluation: the header, then its values times its rows. */
    static double[] evaluate(BlockSpec spec, int index, Iterator<Row> rows, Request req) {
        long t0 = System.nanoTime();
        TaskContext task = TaskContext.get();
        if (task != null && Integer.toString(index).equals(task.getLocalProperty(FAIL_FIRST_ATTEMPT)) && task.attemptNumber() == 0) {
            drop(spec.datasetId() + "/" + index); // as if the executor had been lost with its cache
            throw new IllegalStateException("descent: injected failure of partition " + index + ", attempt 0");
        }
        boolean built = !BLOCKS.containsKey(spec.datasetId() + "/" + index);
        Block b = block(spec, index, rows);
        int p = b == null ? req.w().length : b.p;
        double[] out = new double[HEADER + req.values(p)];
        if (b == null) return out; // an empty partition adds nothing
        synchronized (b.rt) {
            long d0 = b.rt.timer().totals().deviceNanos();
            double[] values = run(b, req);
            long d1 = b.rt.timer().totals().deviceNanos();
            out[0] = b.rows;
            out[1] = d1 - d0;
            for (int i = 0; i < values.length; i++) out[HEADER + i] = values[i] * b.rows;
        }
        out[2] = System.nanoTime() - t0;
        out[3] = built && b != null ? 1 : 0;
        return out;
    }

    private static double[] run(Block b, Request req) {
        Objective f = b.objective;
        b.w.write(req.w());
        int p = b.p;
        switch (req.kind()) {
            case LOSS:
                f.loss(b.w, b.scalars, 0);
                return b.scalars.read(0, 1);
            case GRADIENT: {
                f.lossAndGradient(b.w, b.vector, b.scalars, 0);
                double[] r = new double[1 + p];
                r[0] = b.scalars.read(0, 1)[0];
                System.arraycopy(b.vector.read(), 0, r, 1, p);
                return r;
            }
            case HESSIAN: {
                if (b.matrix == null) b.matrix = b.rt.allocate(f.precision(), (long) p * p);
                f.hessian(b.w, b.matrix);
                double[] h = b.matrix.read();
                double[] packed = new double[p * (p + 1) / 2];
                int k = 0;
                for (int i = 0; i < p; i++) for (int j = i; j < p; j++) packed[k++] = h[i * p + j];
                return packed;
            }
            case HESSIAN_VECTOR:
                b.v.write(req.v());
                f.hessianVector(b.w, b.v, b.vector);
                return b.vector.read();
            case LOSSES:
                b.v.write(req.v());
                b.steps.write(0, req.steps(), 0, req.m());
                f.losses(b.w, b.v, b.steps, req.m(), b.scalars);
                return b.scalars.read(0, req.m());
            default:
                throw new IllegalStateException(req.kind().toString());
        }
    }

    /** Adds partition b into a: header sums except the task time (the slowest task), then the values. */
    static double[] combine(double[] a, double[] b) {
        if (a.length == 0) return b.clone();
        if (b.length == 0) return a;
        for (int i = 0; i < a.length; i++) a[i] = i == 2 ? Math.max(a[i], b[i]) : a[i] + b[i];
        return a;
    }

    private static Block block(BlockSpec spec, int index, Iterator<Row> rows) {
        String key = spec.datasetId() + "/" + index;
        Block b = BLOCKS.get(key);
        if (b != null) return b;
        ClRuntime rt = runtime();
        synchronized (rt) {
            b = BLOCKS.get(key);
            if (b != null) return b;
            Dataset data = rows(spec, index, rows);
            if (data == null) return null; // no rows: nothing to hold
            List<String> notes = new ArrayList<>();
            Objective f = spec.experiment().onDevice(rt, spec.precision(), RowSource.of(data), data, notes);
            b = new Block(rt, f, data.rows(), spec.precision());
            BLOCKS.put(key, b);
            return b;
        }
    }

    /** The partition's rows as a host data set (features, then the target, already doubles), standardised as the driver says. */
    private static Dataset rows(BlockSpec spec, int index, Iterator<Row> it) {
        int k = spec.columns().size();
        double[] x = new double[1024 * k];
        double[] y = new double[1024];
        int n = 0;
        while (it.hasNext()) {
            Row r = it.next();
            if (n == y.length) {
                y = java.util.Arrays.copyOf(y, 2 * n);
                x = java.util.Arrays.copyOf(x, 2 * n * k);
            }
            for (int j = 0; j <= k; j++) {
                String name = j < k ? spec.columns().get(j) : spec.target();
                if (r.isNullAt(j)) throw bad(name, n, index, "is empty (null)");
                double v = r.getDouble(j);
                if (!Double.isFinite(v)) throw bad(name, n, index, "is " + v);
                if (j < k) {
                    x[n * k + j] = spec.standardized() ? (v - spec.mean()[j]) / spec.scale()[j] : v;
                } else {
                    if (spec.logistic() && v != 0 && v != 1) throw bad(name, n, index, "is " + v + ", not a label 0 or 1");
                    y[n] = v;
                }
            }
            n++;
        }
        if (n == 0) return null;
        return new Dataset("partition " + index, n, k, java.util.Arrays.copyOf(x, n * k), java.util.Arrays.copyOf(y, n),
                spec.columns(), spec.target(), spec.mean(), spec.scale());
    }

    private static UsageException bad(String column, int row, int partition, String what) {
        return new UsageException("column '" + column + "', row " + (row + 1) + " of partition " + partition + " " + what
                + ": descent needs a finite number in every feature and target");
    }

    /** This executor's runtime on the task's device. */
    private static ClRuntime runtime() {
        String selector = null;
        TaskContext task = TaskContext.get();
        if (task != null) {
            ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
            if (gpu != null && gpu.addresses().length > 0) selector = "gpu:" + gpu.addresses()[0];
        }
        String key = selector == null ? "" : selector;
        return RUNTIMES.computeIfAbsent(key, s -> ClRuntime.open(device(s)));
    }

    /** The device of a selector "gpu:N" (the N-th GPU), or the default device for "". */
    static DeviceInfo device(String selector) {
        if (selector.startsWith("gpu:")) {
            int n = Integer.parseInt(selector.substring(4).trim());
            List<DeviceInfo> gpus = Devices.all().stream().filter(d -> !d.isSimulator() && d.type().contains("gpu")).toList();
            if (n < gpus.size()) return gpus.get(n);
            throw new UsageException("Spark gave this task GPU address " + n + ", but this executor sees " + gpus.size()
                    + " OpenCL GPU(s): check spark.executor.resource.gpu.discoveryScript");
        }
        return Devices.select(null);
    }

    private static String executorId() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "driver" : env.executorId();
    }

    /** Frees partition {@code key}'s block on this executor, if it holds it. */
    static void drop(String key) {
        Block b = BLOCKS.remove(key);
        if (b != null) {
            synchronized (b.rt) {
                b.close();
            }
        }
    }

    /** Frees every block of data set {@code datasetId} held by this executor; returns how many. */
    static int dropAll(String datasetId) {
        int n = 0;
        for (String key : new ArrayList<>(BLOCKS.keySet())) {
            if (key.startsWith(datasetId + "/")) {
                drop(key);
                n++;
            }
        }
        return n;
    }

    /**
     * Frees the blocks of data set {@code datasetId} that this executor holds but {@code owners}
     * (partition index to executor id) gives to another: left behind when the partitions were
     * spread again. Returns how many.
     */
    static int dropMoved(String datasetId, Map<Integer, String> owners) {
        String me = executorId();
        int n = 0;
        for (String key : new ArrayList<>(BLOCKS.keySet())) {
            if (!key.startsWith(datasetId + "/")) continue;
            String owner = owners.get(Integer.parseInt(key.substring(datasetId.length() + 1)));
            if (owner != null && !owner.equals(me)) {
                drop(key);
                n++;
            }
        }
        return n;
    }

    /** Closes this JVM's executor runtimes once no block is held (local mode, at the end of a run). */
    static void closeIdleRuntimes() {
        if (!BLOCKS.isEmpty()) return;
        for (String key : new ArrayList<>(RUNTIMES.keySet())) {
            ClRuntime rt = RUNTIMES.remove(key);
            if (rt != null) rt.close();
        }
    }
}
