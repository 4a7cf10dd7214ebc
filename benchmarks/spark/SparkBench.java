// descent on Spark against MLlib on the same cached data, in local mode (issue 16) or, with
// MASTER=local-cluster[2,1,MB], on a cluster whose executors are JVMs of their own (issue 27). Run with run.sh:
//   benchmarks/spark/run.sh [OUT_DIR]          (SPARK_ROWS=1000000 REPEATS=3 MASTER=local[2] by default)
// Prints one JSON object: the Spark floor (an empty broadcast plus a treeAggregate), then per
// workload the time to solution and per iteration of MLlib's solvers and of descent's optimizers
// (PoCL on the executors), the coefficient agreement, and descent's phase split.
import io.descent.cl.ClRuntime;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.optim.Optimizer;
import io.descent.report.Json;
import io.descent.spark.SparkSource;
import io.descent.train.Experiment;
import io.descent.train.Run;
import io.descent.train.Setup;
import io.descent.train.Trainer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

public class SparkBench {
    static final int PARTITIONS = 2;
    static int repeats;

    public static void main(String[] args) {
        long rows = Long.parseLong(System.getenv().getOrDefault("SPARK_ROWS", "1000000"));
        repeats = Integer.parseInt(System.getenv().getOrDefault("REPEATS", "3"));
        String only = System.getenv().getOrDefault("WORKLOADS", "linear-10,linear-100,logistic-100");
        String master = System.getenv().getOrDefault("MASTER", "local[2]");
        long t0 = System.nanoTime();
        SparkSession.Builder b = SparkSession.builder().master(master).appName("descent-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1");
        int workers = 0;
        if (master.startsWith("local-cluster[")) {
            // executors in JVMs of their own: they need this program's class path (its lambdas, descent,
            // Spark), the signal-chaining preload PoCL needs in a JVM, and memory for the cached rows
            String[] shape = master.substring("local-cluster[".length(), master.length() - 1).split(",");
            workers = Integer.parseInt(shape[0].trim());
            b = b.config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                    .config("spark.executor.memory", Integer.parseInt(shape[2].trim()) * 3 / 4 + "m");
            String preload = System.getenv("LD_PRELOAD");
            if (preload != null) b = b.config("spark.executorEnv.LD_PRELOAD", preload);
        }
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        // start-up: the session, then every worker's executor registered (the driver counts as one)
        while (spark.sparkContext().getExecutorMemoryStatus().size() < workers + 1) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        double startup = (System.nanoTime() - t0) * 1e-9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("spark", spark.version());
        out.put("master", master);
        out.put("session_start_s", startup);
        out.put("partitions", PARTITIONS);
        out.put("rows", rows);
        out.put("repeats", repeats);
        out.put("device", Devices.select(null).summary());
        out.put("floor", floor(spark, 101));
        List<Object> work = new ArrayList<>();
        for (String w : only.split(",")) {
            String kind = w.substring(0, w.indexOf('-'));
            int k = Integer.parseInt(w.substring(w.indexOf('-') + 1));
            work.add(workload(spark, kind, rows, k));
            System.err.println("done " + w);
        }
        out.put("workloads", work);
        System.out.println(Json.write(out));
        spark.stop();
        System.exit(0);
    }

    /** Median, min and max of a timed action, after one warm-up. */
    static Map<String, Object> time(Supplier<Map<String, Object>> run) {
        run.get();
        double[] t = new double[repeats];
        Map<String, Object> last = null;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            last = run.get();
            t[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(t);
        Map<String, Object> m = new LinkedHashMap<>(last);
        m.put("seconds_median", t[repeats / 2]);
        m.put("seconds_min", t[0]);
        m.put("seconds_max", t[repeats - 1]);
        return m;
    }

    /** Spark's own cost of one evaluation round: broadcast p doubles, treeAggregate p doubles from each partition. */
    static Map<String, Object> floor(SparkSession spark, int p) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Integer> rdd = jsc.parallelize(List.of(1, 2, 3, 4), PARTITIONS).persist(StorageLevel.MEMORY_ONLY());
        rdd.count();
        double[] t = new double[30];
        for (int i = -5; i < t.length; i++) {
            long t0 = System.nanoTime();
            Broadcast<double[]> b = jsc.broadcast(new double[p]);
            rdd.mapPartitions(it -> List.of(new double[b.value().length]).iterator())
                    .treeAggregate(new double[p], (x, y) -> x, (x, y) -> x, 2);
            b.destroy(false);
            if (i >= 0) t[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(t);
        return Map.of("p", p, "seconds_median", t[t.length / 2], "seconds_min", t[0], "seconds_p90", t[(int) (t.length * 0.9)]);
    }

    static Map<String, Object> workload(SparkSession spark, String kind, long n, int k) {
        // features N(0,1) from Spark's own generator, weights 1/j, target with noise (or a Bernoulli label)
        List<Column> cols = new ArrayList<>();
        Column eta = functions.lit(0.5);
        String[] names = new String[k];
        for (int j = 0; j < k; j++) {
            names[j] = "x" + (j + 1);
            Column x = functions.randn(100 + j);
            cols.add(x.as(names[j]));
        }
        Dataset<Row> base = spark.range(0, n, 1, PARTITIONS).select(cols.toArray(new Column[0]));
        for (int j = 0; j < k; j++) eta = eta.plus(functions.col(names[j]).multiply(((j % 2 == 0) ? 1.0 : -1.0) / (1 + j % 7)));
        Column y = kind.equals("linear") ? eta.plus(functions.randn(7).multiply(0.1))
                : functions.when(functions.rand(7).lt(functions.lit(1).divide(functions.lit(1).plus(functions.exp(eta.multiply(-1))))), 1.0).otherwise(0.0);
        Dataset<Row> df = base.withColumn("y", y).persist(StorageLevel.MEMORY_AND_DISK());
        df.count();
        Dataset<Row> assembled = new VectorAssembler().setInputCols(names).setOutputCol("features").transform(df)
                .select("features", "y").persist(StorageLevel.MEMORY_AND_DISK());
        assembled.count();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", kind + " " + n + " x " + k);
        double[][] mllibCoef = new double[1][];
        List<Object> runs = new ArrayList<>();
        if (kind.equals("linear")) {
            for (String solver : new String[]{"normal", "l-bfgs"}) {
                Map<String, Object> r = time(() -> {
                    LinearRegressionModel fit = new LinearRegression().setSolver(solver).setRegParam(0).setStandardization(false)
                            .setFitIntercept(true).setTol(1e-10).setMaxIter(200).setLabelCol("y").fit(assembled);
                    if (solver.equals("normal")) mllibCoef[0] = withIntercept(fit.intercept(), fit.coefficients().toArray());
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("who", "MLlib LinearRegression solver=" + solver);
                    x.put("iterations", fit.summary().totalIterations());
                    return x;
                });
                runs.add(perIteration(r));
            }
        } else {
            Map<String, Object> r = time(() -> {
                LogisticRegressionModel fit = new LogisticRegression().setRegParam(0).setStandardization(false).setFitIntercept(true)
                        .setTol(1e-10).setMaxIter(200).setLabelCol("y").fit(assembled);
                mllibCoef[0] = withIntercept(fit.intercept(), fit.coefficients().toArray());
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("who", "MLlib LogisticRegression (l-bfgs)");
                x.put("iterations", fit.summary().totalIterations());
                return x;
            });
            runs.add(perIteration(r));
        }
        // descent on Spark: the same cached rows, fp64, PoCL on the (local) executors
        try (ClRuntime rt = ClRuntime.open(Devices.select(null))) {
            Experiment e = new Experiment();
            e.objective = kind;
            e.intercept = true;
            e.target = "y";
            e.external = SparkSource.of(df, Arrays.asList(names), PARTITIONS);
            long t0 = System.nanoTime();
            try (Setup s = e.build(rt, Precision.FP64)) {
                m.put("descent_upload_s", (System.nanoTime() - t0) * 1e-9);
                String[] opts = kind.equals("linear") ? new String[]{"newton:1", "lbfgs:200"} : new String[]{"newton:30", "lbfgs:200"};
                for (String o : opts) {
                    String spec = o.substring(0, o.indexOf(':'));
                    long steps = Long.parseLong(o.substring(o.indexOf(':') + 1));
                    double[][] last = new double[1][];
                    Map<String, Object> r = time(() -> {
                        Optimizer opt = Run.optimizer(spec, e, null);
                        Run.Outcome oc = Run.execute(s, opt, new double[s.objective().parameterCount()], new Trainer(),
                                new Trainer.Options(steps, 0, Double.NaN, false, 1e-8, 0, 1, 1e6, 0), new Trainer.Listener() { }, null, null);
                        opt.close();
                        last[0] = oc.params();
                        Map<String, Object> x = new LinkedHashMap<>();
                        x.put("who", "descent on Spark " + spec);
                        x.put("iterations", oc.report().json.get("steps"));
                        x.put("stop", oc.report().json.get("stop"));
                        x.put("counts", oc.report().json.get("counts"));
                        x.put("phases", oc.report().json.get("phases"));
                        x.put("final_loss", oc.report().json.get("final_loss"));
                        return x;
                    });
                    r.put("max_rel_diff_to_mllib", maxRel(mllibCoef[0], last[0]));
                    runs.add(perIteration(r));
                }
            }
        }
        m.put("runs", runs);
        assembled.unpersist(true);
        df.unpersist(true);
        return m;
    }

    static Map<String, Object> perIteration(Map<String, Object> r) {
        Object it = r.get("iterations");
        if (it instanceof Number n && n.doubleValue() > 0) r.put("seconds_per_iteration", (Double) r.get("seconds_median") / n.doubleValue());
        return r;
    }

    static double[] withIntercept(double b, double[] w) {
        double[] c = new double[w.length + 1];
        c[0] = b;
        System.arraycopy(w, 0, c, 1, w.length);
        return c;
    }

    static double maxRel(double[] a, double[] b) {
        double scale = 0, d = 0;
        for (double v : a) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d / scale;
    }
}
