package io.descent.spark;

import io.descent.DescentException;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.objective.Objective;
import io.descent.train.Experiment;
import io.descent.train.Setup;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The rows of a Spark data set as an {@link Experiment.External}: descent trains on them with every
 * optimizer, each executor evaluating its partitions on its own OpenCL device. The data: a file
 * Spark reads ({@link Options#input}: CSV with a header, Parquet, JSON or ORC), a Spark
 * {@code Dataset<Row>} given by a program ({@link #of}), or the experiment's generated data, made
 * into a Spark data set on the driver.
 */
public final class SparkSource implements Experiment.External {
    /** How to reach Spark and which rows to use. */
    public record Options(String master, String input, String format, List<String> features, int partitions,
                          List<String> conf) {
    }

    private final Options options;
    private final org.apache.spark.sql.Dataset<Row> given;
    private Loaded loaded;
    private Map<String, String> added = Map.of();

    private SparkSource(Options options, org.apache.spark.sql.Dataset<Row> given) {
        this.options = options;
        this.given = given;
    }

    /** Rows read by Spark (or the experiment's own data), for the command line. */
    public static Experiment.External of(Options options) {
        return new SparkSource(options, null);
    }

    /** A program's own data set, on its session; the experiment's target names the target column. */
    public static Experiment.External of(org.apache.spark.sql.Dataset<Row> data, List<String> features, int partitions) {
        return new SparkSource(new Options(null, null, null, features, partitions, List.of()), data);
    }

    /** What the build learned, for reports and tests. */
    record Loaded(SparkSession session, boolean ownSession, long rows, int partitions) {
    }

    @Override
    public Setup build(Experiment e, ClRuntime rt, Precision precision) {
        String kind = e.objective.toLowerCase(Locale.ROOT);
        if (!kind.equals("linear") && !kind.equals("logistic") && !kind.equals("mlp")) {
            throw new UsageException("descent on Spark trains linear, logistic or mlp objectives, not '" + e.objective + "'");
        }
        boolean own = given == null && !live(SparkSession.getActiveSession()) && !live(SparkSession.getDefaultSession());
        SparkSession spark = given != null ? given.sparkSession() : session();
        List<AutoCloseable> owned = new ArrayList<>();
        if (own) {
            owned.add(() -> {
                Partitions.closeIdleRuntimes();
                spark.stop();
                SparkSession.clearActiveSession(); // stop() leaves this thread's session set, stopped
                SparkSession.clearDefaultSession();
            });
        }
        try {
            org.apache.spark.sql.Dataset<Row> df = given != null ? given : read(spark, e);
            String where = given != null ? "the data set" : options.input() != null ? options.input()
                    : e.csv != null ? e.csv.toString() : "the generated data";
            String target = e.target != null ? e.target : df.columns()[df.columns().length - 1];
            List<String> features = features(df, target, where);
            Stats stats = stats(df, features, target, where, e.standardize, kind.equals("logistic"));
            List<Column> cols = new ArrayList<>();
            for (String f : features) cols.add(functions.col(quote(f)).cast(DataTypes.DoubleType));
            cols.add(functions.col(quote(target)).cast(DataTypes.DoubleType));
            org.apache.spark.sql.Dataset<Row> projected = df.select(cols.toArray(new Column[0]));
            int parts = options.partitions() > 0 ? options.partitions() : projected.rdd().getNumPartitions();
            if (options.partitions() > 0 && projected.rdd().getNumPartitions() != parts) projected = projected.repartition(parts);
            JavaRDD<Row> rows = Placement.place(JavaSparkContext.fromSparkContext(spark.sparkContext()), projected.javaRDD(),
                    ClusterSettings.separateExecutors(spark.sparkContext().master()));
            owned.add(0, () -> rows.unpersist(false));
            BlockSpec spec = BlockSpec.of(UUID.randomUUID().toString(), e, precision, features, target, stats.mean, stats.scale);
            DeviceDataset.Info info = new DeviceDataset.Info(where, features, target, stats.mean, stats.scale);
            // the model over a few rows on the driver: its names, shape and starting point
            Dataset head = head(projected, spec, stats.rows);
            DeviceDataset headData = new DeviceDataset(rt, head, precision);
            Objective model;
            try {
                model = e.model(headData);
            } catch (RuntimeException ex) {
                headData.close();
                throw ex;
            }
            long t0 = System.nanoTime();
            SparkObjective obj;
            try {
                obj = new SparkObjective(rt, JavaSparkContext.fromSparkContext(spark.sparkContext()), rows, spec, model,
                        headData, info);
            } catch (RuntimeException ex) {
                model.close();
                headData.close();
                throw Failures.unwrap(ex);
            }
            double upload = (System.nanoTime() - t0) * 1e-9;
            loaded = new Loaded(spark, own, stats.rows, parts);
            List<String> notes = new ArrayList<>();
            List<String> devices = obj.partitions().stream().map(l -> l.executor() + ": " + l.device()).distinct().sorted().toList();
            notes.add(String.format(Locale.ROOT, "Spark %s (%s): %d rows of %s in %d partitions, held on the executors' devices"
                            + " (%s), uploaded in %.2f s", spark.version(), spark.sparkContext().master(), stats.rows, where, parts,
                    String.join("; ", devices), upload));
            if (e.standardize) notes.add("standardised by the driver's statistics over all rows (population std)");
            if (!added.isEmpty()) notes.add(ClusterSettings.note(added));
            return Setup.external(e, obj, notes, owned);
        } catch (RuntimeException ex) {
            boolean stopped = spark.sparkContext().isStopped();
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the first failure is the one to report
                }
            }
            if (stopped && !(ex instanceof DescentException)) throw Failures.stopped();
            throw Failures.unwrap(ex);
        }
    }

    /** A session that is there and running (a stopped one stays set as the thread's active session). */
    private static boolean live(scala.Option<SparkSession> s) {
        return s.isDefined() && !s.get().sparkContext().isStopped();
    }

    private SparkSession session() {
        SparkSession.Builder b = SparkSession.builder().appName("descent");
        if (options.master() != null) b = b.master(options.master());
        b = b.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false");
        Map<String, String> user = new LinkedHashMap<>();
        for (String kv : options.conf()) {
            int eq = kv.indexOf('=');
            if (eq < 1) throw new UsageException("--conf " + kv + ": expected KEY=VALUE, e.g. spark.executor.memory=4g");
            user.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        if (options.master() != null && options.master().startsWith("local")) {
            // one machine: bind to loopback, so a host name that does not resolve cannot stop it
            b = b.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1");
        }
        String master = options.master() != null ? options.master() : System.getProperty("spark.master");
        added = ClusterSettings.defaults(master, user, System.getProperty("SPARK_SUBMIT") != null,
                ClusterSettings.ownCode(), System.getProperty("java.class.path"), Path.of(System.getProperty("java.home")));
        for (Map.Entry<String, String> kv : added.entrySet()) b = b.config(kv.getKey(), kv.getValue());
        for (Map.Entry<String, String> kv : user.entrySet()) b = b.config(kv.getKey(), kv.getValue());
        ManagerReason.listen();
        try {
            SparkSession s = b.getOrCreate();
            s.sparkContext().setLogLevel("WARN");
            return s;
        } catch (RuntimeException ex) {
            if (ex.getMessage() != null && ex.getMessage().contains("master URL")) {
                throw new UsageException("no Spark master: give --master local[2] (one machine) or run under spark-submit");
            }
            throw ex;
        }
    }

    private org.apache.spark.sql.Dataset<Row> read(SparkSession spark, Experiment e) {
        String input = options.input() != null ? options.input() : e.csv != null ? e.csv.toString() : null;
        if (input == null) return generated(spark, e);
        if (!input.contains(":/") && !java.nio.file.Files.exists(Path.of(input))) {
            throw new UsageException("no such input '" + input + "': give a CSV, Parquet, JSON or ORC file or folder Spark can read");
        }
        String fmt = options.format() != null ? options.format().toLowerCase(Locale.ROOT) : format(input);
        var r = spark.read().format(fmt);
        if (fmt.equals("csv")) r = r.option("header", "true").option("inferSchema", "true");
        try {
            return r.load(input);
        } catch (RuntimeException ex) {
            if (spark.sparkContext().isStopped()) throw Failures.stopped();
            throw new UsageException("Spark could not read '" + input + "' as " + fmt + ": " + firstLine(ex.getMessage())
                    + " (say which format with --format csv|parquet|json|orc)");
        }
    }

    private static String format(String input) {
        String n = input.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        for (String f : new String[]{"parquet", "json", "orc"}) if (n.endsWith("." + f)) return f;
        return n.endsWith(".csv") || n.endsWith(".csv.gz") ? "csv" : "parquet";
    }

    /**
     * The experiment's generated rows as a Spark data set made on the executors ({@link
     * GeneratedRows}): the driver generates one row, for the columns and the true weights.
     */
    private org.apache.spark.sql.Dataset<Row> generated(SparkSession spark, Experiment e) {
        int rows = e.rows;
        Dataset one;
        try {
            e.rows = 1;
            one = e.dataset();
        } finally {
            e.rows = rows;
        }
        if (one == null) throw new UsageException("descent on Spark needs data: --input FILE, --csv FILE or a generated scenario");
        List<StructField> fields = new ArrayList<>();
        for (String c : one.columns()) fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, false));
        fields.add(DataTypes.createStructField(one.target(), DataTypes.DoubleType, false));
        if (e.target == null) e.target = one.target();
        int parts = options.partitions() > 0 ? options.partitions() : spark.sparkContext().defaultParallelism();
        GeneratedRows g = GeneratedRows.of(e);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < parts; i++) ids.add(i);
        JavaRDD<Row> made = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ids, parts)
                .mapPartitionsWithIndex((Integer i, java.util.Iterator<Integer> it) -> g.slice(i, parts).iterator(), true);
        return spark.createDataFrame(made, DataTypes.createStructType(fields));
    }

    private List<String> features(org.apache.spark.sql.Dataset<Row> df, String target, String where) {
        StructType schema = df.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(target)) {
            throw new UsageException("no column '" + target + "' in " + where + " (columns: " + String.join(", ", names)
                    + "): name the target with --target");
        }
        List<String> features = options.features() != null && !options.features().isEmpty() ? options.features()
                : names.stream().filter(n -> !n.equals(target)).toList();
        if (features.isEmpty()) throw new UsageException(where + " has only the target column '" + target + "': it needs features too");
        for (String f : features) {
            if (!names.contains(f)) {
                throw new UsageException("no column '" + f + "' in " + where + " (columns: " + String.join(", ", names) + ")");
            }
            if (f.equals(target)) throw new UsageException("column '" + f + "' is the target: it cannot be a feature too");
        }
        List<String> all = new ArrayList<>(features);
        all.add(target);
        for (String c : all) {
            StructField field = schema.apply(c);
            if (!(field.dataType() instanceof NumericType) && !(field.dataType() instanceof BooleanType)) {
                throw new UsageException("column '" + c + "' of " + where + " holds " + field.dataType().simpleString()
                        + " values, not numbers: descent needs a number in every feature and target; cast it, or leave it out"
                        + " with --columns");
            }
        }
        return features;
    }

    /** Counts, standardisation and label checks in one pass over the data. */
    private record Stats(long rows, double[] mean, double[] scale) {
    }

    private static Stats stats(org.apache.spark.sql.Dataset<Row> df, List<String> features, String target, String where,
                               boolean standardize, boolean logistic) {
        List<String> all = new ArrayList<>(features);
        all.add(target);
        List<Column> agg = new ArrayList<>();
        for (String c : all) {
            Column x = functions.col(quote(c)).cast(DataTypes.DoubleType);
            agg.add(functions.sum(functions.when(x.isNull().or(functions.isnan(x)).or(x.isin(Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY)), 1).otherwise(0)));
        }
        if (standardize) {
            for (String c : features) {
                Column x = functions.col(quote(c)).cast(DataTypes.DoubleType);
                agg.add(functions.avg(x));
                agg.add(functions.stddev_pop(x));
            }
        }
        Column y = functions.col(quote(target)).cast(DataTypes.DoubleType);
        agg.add(functions.sum(functions.when(y.isin(0.0, 1.0), 0).otherwise(1)));
        Column countAll = functions.count(functions.lit(1));
        Row r = df.agg(countAll, agg.toArray(new Column[0])).first();
        long n = r.getLong(0);
        if (n == 0) throw new UsageException(where + " has no rows");
        int at = 1;
        for (String c : all) {
            long bad = r.isNullAt(at) ? 0 : ((Number) r.get(at)).longValue();
            at++;
            if (bad > 0) {
                throw new UsageException("column '" + c + "' of " + where + " has " + bad + " missing, NaN or infinite value"
                        + (bad == 1 ? "" : "s") + " (of " + n + " rows): descent needs a finite number in every feature and"
                        + " target; drop or fill them first (Dataset.na())");
            }
        }
        double[] mean = null, scale = null;
        if (standardize) {
            mean = new double[features.size()];
            scale = new double[features.size()];
            for (int j = 0; j < features.size(); j++) {
                mean[j] = r.getDouble(at++);
                scale[j] = r.getDouble(at++);
                if (!(scale[j] > 0) || Double.isInfinite(scale[j])) {
                    throw new UsageException("column '" + features.get(j) + "' of " + where + " has standard deviation " + scale[j]
                            + ", so it cannot be standardised: leave it out with --columns, or train without --standardize");
                }
            }
        }
        long notLabel = ((Number) r.get(at)).longValue();
        if (logistic && notLabel > 0) {
            throw new UsageException("logistic regression needs labels 0 or 1, but " + notLabel + " rows of " + where + " have another "
                    + target + ": recode the target column to 0/1");
        }
        return new Stats(n, mean, scale);
    }

    /** The first rows, standardised as the executors will, for the driver's model. */
    private static Dataset head(org.apache.spark.sql.Dataset<Row> projected, BlockSpec spec, long rows) {
        int n = (int) Math.min(rows, 2000);
        List<Row> list = projected.limit(n).collectAsList();
        int k = spec.columns().size();
        double[] x = new double[list.size() * k];
        double[] y = new double[list.size()];
        for (int i = 0; i < list.size(); i++) {
            Row r = list.get(i);
            for (int j = 0; j < k; j++) {
                double v = r.getDouble(j);
                x[i * k + j] = spec.standardized() ? (v - spec.mean()[j]) / spec.scale()[j] : v;
            }
            y[i] = r.getDouble(k);
        }
        return new Dataset("head", list.size(), k, x, y, spec.columns(), spec.target(), spec.mean(), spec.scale());
    }

    private static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Failures inside Spark jobs: descent's own errors come back as they were thrown on the executor. */
    static final class Failures {
        private Failures() {
        }

        static RuntimeException unwrap(RuntimeException ex) {
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof DescentException d) return d;
            }
            String m = ex.getMessage() == null ? "" : ex.getMessage();
            int at = m.indexOf("io.descent.UsageException: ");
            if (at >= 0) return new UsageException(firstLine(m.substring(at + "io.descent.UsageException: ".length())));
            if (missingClasses(m)) {
                return new UsageException("the executors cannot load descent's classes (" + firstLine(m).replaceAll(".*?(cannot assign|"
                        + "ClassNotFoundException|NoClassDefFoundError)", "$1") + "): descent.jar is not on their class path."
                        + " Give it to them: --conf spark.jars=/path/to/descent.jar (descent sets this itself unless"
                        + " spark.jars or spark.executor.extraClassPath is given, or spark-submit runs the job: then pass"
                        + " --jars descent.jar)");
            }
            return ex;
        }

        /** Task failures that mean the executors lack descent's classes. */
        static boolean missingClasses(String message) {
            return message.contains("SerializedLambda") || message.matches("(?s).*(ClassNotFoundException|NoClassDefFoundError)"
                    + "[: ]+io[./]descent.*");
        }

        /**
         * The application was stopped under descent: by the cluster manager, most often because executors
         * never started. Quotes the manager's reason where Spark logged one ({@link ManagerReason}).
         */
        static UsageException stopped() {
            String reason = ManagerReason.last();
            return new UsageException("Spark stopped the application before descent could use it: the cluster manager ended it"
                    + (reason != null ? " ('" + reason + "')," : ",")
                    + " most often because its executors could not start" + (reason != null ? ""
                    : " (its reason, such as 'Master removed our application: FAILED', is in Spark's log above)")
                    + ". Likely causes: workers without a Spark home (SPARK_HOME) or without"
                    + " Java; executors that cannot reach the driver (set --conf spark.driver.host=ADDRESS the workers reach, and"
                    + " spark.driver.bindAddress); spark.executor.memory or spark.executor.cores larger than a worker offers."
                    + " The workers' logs (work/app-*/*/stderr under their Spark home) name the cause");
        }
    }
}
