package io.descent.spark;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.data.DeviceDataset;
import io.descent.objective.Described;
import io.descent.objective.Objective;
import io.descent.objective.Streamed;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's objective over a Spark data set's partitions, each held on its executor's device
 * ({@link Partitions}). Every evaluation broadcasts the parameters (and the vector or direction it
 * needs), runs one job whose tasks evaluate their partitions and return partial sums, and adds those
 * up with {@code treeAggregate}, as MLlib does. Each partition's value is a mean over its rows plus
 * the penalty, so the row-weighted sum is the whole data's, and every descent optimizer runs on the
 * driver unchanged, the parameters and optimizer state on the driver's device.
 *
 * <p>Time: the round trip's wall time goes to the {@link Phase#CLUSTER} phase less the slowest
 * task's own evaluation, which goes to the evaluation's phase; the executors' device time is added
 * to the evaluation's phase. Full batch only: it is not {@link io.descent.objective.Batchable}.
 */
final class SparkObjective extends Objective implements Streamed, Described {
    private final JavaSparkContext jsc;
    private JavaRDD<Row> rows;
    private final BlockSpec spec;
    private final Objective model;
    private final DeviceDataset modelData;
    private final DeviceDataset.Info info;
    private final long total;
    private final int p;
    private List<Partitions.Loaded> loaded;
    /** Executors JVMs of their own (not local mode): blocks are spread again when one joins. */
    private final boolean separate;
    /** Executors joined (block managers registered) that a spread has taken into account. */
    private long joinedSeen;
    private final int depth;
    private long rounds;
    private double clusterSeconds;
    /** Rounds and cluster seconds when the timed run started and ended (-1: not yet). */
    private long roundsAtStart = -1, roundsAtEnd = -1;
    private double clusterAtStart, clusterAtEnd;
    private long rebuilt;
    private long lostSeen;
    private final Faults faults = new Faults();

    /**
     * @param model     the model over a few rows on the driver's device: names, shape and starting point
     * @param modelData its rows (closed with this objective)
     */
    SparkObjective(ClRuntime runtime, JavaSparkContext jsc, JavaRDD<Row> rows, BlockSpec spec, Objective model,
                   DeviceDataset modelData, DeviceDataset.Info info) {
        super(runtime, spec.precision());
        this.jsc = jsc;
        this.rows = rows;
        this.spec = spec;
        this.model = model;
        this.modelData = modelData;
        this.info = info;
        this.p = model.parameterCount();
        this.depth = rows.getNumPartitions() > 16 ? 3 : 2;
        // upload every partition once, up front, and learn where each went
        this.loaded = loads(rows, spec).collect();
        this.total = loaded.stream().mapToLong(Partitions.Loaded::rows).sum();
        this.separate = ClusterSettings.separateExecutors(jsc.master());
        for (Partitions.Loaded l : loaded) {
            if (!l.executor().equals("driver")) faults.live.putIfAbsent(l.executor(), l.host());
        }
        jsc.sc().addSparkListener(faults);
    }

    /** Executors that joined or left while this objective lived (Spark's listener bus thread writes). */
    static final class Faults extends org.apache.spark.scheduler.SparkListener {
        final java.util.concurrent.atomic.AtomicLong lost = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong added = new java.util.concurrent.atomic.AtomicLong();
        final java.util.List<String> reasons = java.util.Collections.synchronizedList(new ArrayList<>());
        /** The executors alive, id to host: those that took the first upload, then as Spark reports them. */
        final Map<String, String> live = new java.util.concurrent.ConcurrentHashMap<>();

        /** Executors whose block manager registered: they can hold cached partitions (a spread waits for this). */
        final java.util.concurrent.atomic.AtomicLong joined = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void onExecutorRemoved(org.apache.spark.scheduler.SparkListenerExecutorRemoved e) {
            live.remove(e.executorId());
            lost.incrementAndGet();
            reasons.add("executor " + e.executorId() + ": " + e.reason());
        }

        @Override
        public void onExecutorAdded(org.apache.spark.scheduler.SparkListenerExecutorAdded e) {
            added.incrementAndGet();
        }

        // An executor registers its block manager after the executor itself. Its host is the one
        // Spark's location preferences name ("executor_HOST_ID"), which the executor's own may not be.
        @Override
        public void onBlockManagerAdded(org.apache.spark.scheduler.SparkListenerBlockManagerAdded e) {
            String id = e.blockManagerId().executorId();
            if (id.equals("driver")) return;
            live.put(id, e.blockManagerId().host());
            joined.incrementAndGet();
        }

        /** The live executors as location preferences ("executor_HOST_ID", Spark's form), in a stable order. */
        List<String> locations() {
            return live.entrySet().stream().map(x -> "executor_" + x.getValue() + "_" + x.getKey()).sorted().toList();
        }
    }

    /** A round trip during which executors were lost or blocks rebuilt: what recovering cost. */
    private record Recovery(long round, long lost, long rebuilt, double seconds) {
    }

    private final List<Recovery> recoveries = new ArrayList<>();

    /** Blocks spread again before round {@code round} because executors joined. */
    private record Spread(long round, int executors, long moved, long dropped, double seconds) {
    }

    private final List<Spread> spreads = new ArrayList<>();
    private final List<String> spreadFailures = new ArrayList<>();

    /** Where the partitions went: one entry per partition. */
    List<Partitions.Loaded> partitions() {
        return loaded;
    }

    @Override
    public Objective model() {
        return model.model();
    }

    @Override
    public DeviceDataset.Info info() {
        return info;
    }

    @Override
    public String name() {
        // the executors are not named here: they can change during a run (see "executors" in the JSON)
        return model().name().replaceFirst("\\d+ rows", total + " rows") + ", on Spark (" + loaded.size() + " partitions)";
    }

    @Override
    public int rows() {
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    @Override
    public int parameterCount() {
        return p;
    }

    @Override
    public boolean isQuadratic() {
        return model.isQuadratic();
    }

    @Override
    public double[] initialParameters(java.util.Random random) {
        return model.initialParameters(random);
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void runStarted() {
        roundsAtStart = rounds;
        clusterAtStart = clusterSeconds;
    }

    @Override
    public void runEnded() {
        roundsAtEnd = rounds;
        clusterAtEnd = clusterSeconds;
    }

    /**
     * Where the blocks are now (one more job, not counted as a round: after a lost executor the
     * replacements hold them), by executor with its host and process id; the timed run's rounds and
     * cluster seconds; executors lost and blocks rebuilt.
     */
    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("partitions", loaded.size());
        List<Partitions.Loaded> now = placement();
        List<Object> ex = new ArrayList<>();
        for (String id : now.stream().map(Partitions.Loaded::executor).distinct().sorted().toList()) {
            List<Partitions.Loaded> mine = now.stream().filter(l -> l.executor().equals(id)).toList();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", id);
            e.put("host", mine.get(0).host());
            e.put("pid", mine.get(0).pid());
            e.put("devices", mine.stream().map(Partitions.Loaded::device).distinct().toList());
            e.put("partitions", mine.size());
            e.put("rows", mine.stream().mapToLong(Partitions.Loaded::rows).sum());
            ex.add(e);
        }
        m.put("executors", ex);
        boolean timed = roundsAtStart >= 0 && roundsAtEnd >= 0;
        m.put("cluster_rounds", timed ? roundsAtEnd - roundsAtStart : rounds);
        m.put("cluster_s", timed ? clusterAtEnd - clusterAtStart : clusterSeconds);
        m.put("cluster_rounds_all", rounds);
        m.put("executors_lost", faults.lost.get());
        m.put("executors_added", faults.added.get());
        m.put("blocks_rebuilt", rebuilt);
        List<Object> rec = new ArrayList<>();
        for (Recovery r : recoveries) {
            rec.add(Map.of("round", r.round(), "executors_lost", r.lost(), "blocks_rebuilt", r.rebuilt(), "round_s", r.seconds()));
        }
        m.put("recoveries", rec);
        List<Object> sp = new ArrayList<>();
        for (Spread x : spreads) {
            sp.add(Map.of("before_round", x.round(), "executors", x.executors(), "blocks_moved", x.moved(),
                    "blocks_dropped", x.dropped(), "seconds", x.seconds()));
        }
        m.put("respread", sp);
        return m;
    }

    @Override
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Recovery r : recoveries) {
            out.add(String.format(java.util.Locale.ROOT, "round %d: %d executor%s lost, %d block%s rebuilt on the executors left;"
                            + " that round took %.2f s (the result is unchanged: blocks are rebuilt from the partition's rows)",
                    r.round(), r.lost(), r.lost() == 1 ? "" : "s", r.rebuilt(), r.rebuilt() == 1 ? "" : "s", r.seconds()));
        }
        for (Spread x : spreads) {
            out.add(String.format(java.util.Locale.ROOT, "before round %d: executors joined; %d block%s moved so that %d "
                            + "executors hold the partitions again, in %.2f s", x.round(), x.moved(), x.moved() == 1 ? "" : "s",
                    x.executors(), x.seconds()));
        }
        out.addAll(spreadFailures);
        if (!faults.reasons.isEmpty()) out.add("lost: " + String.join("; ", faults.reasons));
        return out;
    }

    /** Where each partition's block is now (built where a partition lost its block). */
    private List<Partitions.Loaded> placement() {
        try {
            return loads(rows, spec).collect();
        } catch (RuntimeException stopped) {
            return loaded; // the session is gone: the last placement known
        }
    }

    /** Each partition's block built (or found) where the partition is, with where that is. */
    private static JavaRDD<Partitions.Loaded> loads(JavaRDD<Row> rows, BlockSpec spec) {
        return rows.mapPartitionsWithIndex((Integer i, Iterator<Row> it) -> List.of(Partitions.load(spec, i, it)).iterator(), true);
    }

    /** One evaluation over all partitions: the summed values, each the row-weighted mean. */
    private double[] roundTrip(Request req, Phase phase) {
        spreadIfJoined();
        PhaseTimer timer = runtime.timer();
        double[] sum;
        long t0 = System.nanoTime();
        try (PhaseTimer.Scope s = timer.wall(Phase.CLUSTER)) {
            Broadcast<Request> b = jsc.broadcast(req);
            BlockSpec sp = spec;
            sum = rows.mapPartitionsWithIndex((Integer i, Iterator<Row> it) -> List.of(Partitions.evaluate(sp, i, it, b.value())).iterator(), true)
                    .treeAggregate(new double[0], Partitions::combine, Partitions::combine, depth);
            b.destroy(false);
        }
        long wall = System.nanoTime() - t0;
        rounds++;
        if (sum.length == 0 || sum[0] <= 0) throw new IllegalStateException("no partition holds a row");
        long lostNow = faults.lost.get();
        long builtNow = (long) sum[3];
        rebuilt += builtNow;
        if (lostNow > lostSeen || builtNow > 0) {
            recoveries.add(new Recovery(rounds, lostNow - lostSeen, builtNow, wall * 1e-9));
            lostSeen = lostNow;
        }
        long task = (long) sum[2];
        timer.moveWall(Phase.CLUSTER, phase, task);
        timer.addDevice(phase, (long) sum[1]);
        clusterSeconds += Math.max(0, wall - task) * 1e-9;
        double[] v = new double[sum.length - Partitions.HEADER];
        for (int i = 0; i < v.length; i++) v[i] = sum[Partitions.HEADER + i] / sum[0];
        return v;
    }

    /**
     * When executors joined since the last look (a replacement for a lost one, or a late one), the
     * partitions are spread over all executors again, as at the start: rebuilt blocks had gone to
     * the executors left, and cached partitions keep their tasks where they are. Three jobs, none a
     * round: the executors, the partitions cached and uploaded at their new places (read from
     * their old ones), and the old blocks freed on executors that no longer own them. The time is
     * cluster time. A spread that fails leaves the placement as it was.
     */
    private void spreadIfJoined() {
        long joined = faults.joined.get();
        if (!separate || joined == joinedSeen) return;
        joinedSeen = joined;
        long t0 = System.nanoTime();
        JavaRDD<Row> spread = null;
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.CLUSTER)) {
            List<String> executors = faults.locations();
            if (executors.size() < 2) return;
            spread = Placement.respread(jsc, rows, executors);
            JavaRDD<Partitions.Loaded> loads = loads(spread, spec);
            // in waves of one partition per executor (partition i is planned for executor i mod E): a
            // second task waiting for a busy executor (building its first block) would outlast Spark's
            // locality wait and run elsewhere
            List<Partitions.Loaded> now = new ArrayList<>();
            int parts = spread.getNumPartitions(), e = executors.size();
            for (int w0 = 0; w0 < parts; w0 += e) {
                int[] wave = java.util.stream.IntStream.range(w0, Math.min(parts, w0 + e)).toArray();
                for (List<Partitions.Loaded> l : loads.collectPartitions(wave)) now.addAll(l);
            }
            Map<Integer, String> owners = new java.util.HashMap<>();
            for (Partitions.Loaded l : now) owners.put(l.partition(), l.executor());
            String id = spec.datasetId();
            long dropped = Placement.probes(jsc).map(i -> (long) Partitions.dropMoved(id, owners)).reduce(Long::sum);
            rows.unpersist(false);
            rows = spread;
            loaded = now;
            long moved = now.stream().filter(l -> !l.cached()).count();
            double seconds = (System.nanoTime() - t0) * 1e-9;
            clusterSeconds += seconds;
            spreads.add(new Spread(rounds + 1, (int) now.stream().map(Partitions.Loaded::executor).distinct().count(),
                    moved, dropped, seconds));
        } catch (RuntimeException e) {
            if (spread != null && spread != rows) spread.unpersist(false);
            // the round that follows meets whatever went wrong, as it would have without the spread
            spreadFailures.add("before round " + (rounds + 1) + ", spreading the partitions over the executors again failed ("
                    + e.getMessage() + "); they stay where they are");
        }
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        double[] v = roundTrip(new Request(Request.Kind.LOSS, w.read(), null, null, 0), Phase.LOSS);
        out.write(index, v, 0, 1);
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        double[] v = roundTrip(new Request(Request.Kind.GRADIENT, w.read(), null, null, 0), Phase.GRADIENT);
        out.write(index, v, 0, 1);
        grad.write(0, v, 1, p);
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        double[] packed = roundTrip(new Request(Request.Kind.HESSIAN, w.read(), null, null, 0), Phase.HESSIAN);
        double[] full = new double[p * p];
        int k = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                full[i * p + j] = packed[k];
                full[j * p + i] = packed[k++];
            }
        }
        h.write(0, full, 0, full.length);
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        double[] r = roundTrip(new Request(Request.Kind.HESSIAN_VECTOR, w.read(), v.read(), null, 0), Phase.HESSIAN);
        hv.write(0, r, 0, p);
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        double[] r = roundTrip(new Request(Request.Kind.LOSSES, w.read(), direction.read(), steps.read(0, m), m), Phase.LOSS);
        out.write(0, r, 0, m);
    }

    @Override
    public void close() {
        String id = spec.datasetId();
        try {
            // free the partitions' device memory on the executors that hold them (the same tasks' locality)
            rows.mapPartitions((Iterator<Row> it) -> List.of(Partitions.dropAll(id)).iterator(), true).collect();
            if (!spreads.isEmpty()) rows.unpersist(false); // a spread's cache (the first one is the source's)
        } catch (RuntimeException stopped) {
            // the session is gone: its executors, and their devices' memory, with it
        }
        Partitions.dropAll(id); // local mode: the driver is the executor
        jsc.sc().removeSparkListener(faults);
        model.close();
        if (modelData != null) modelData.close();
    }
}
