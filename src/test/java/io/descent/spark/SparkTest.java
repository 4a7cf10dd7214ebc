package io.descent.spark;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.objective.Objective;
import io.descent.train.Experiment;
import io.descent.train.Setup;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * descent on Spark in local mode (two task threads, three attempts per task), PoCL as the
 * executors' device: every evaluation equals one device's to rounding, the fits equal MLlib's, a
 * failed task is retried to the same result, and bad columns get clear errors.
 */
class SparkTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2,3]").appName("descent-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        // the fault test needs three attempts per task: a session some earlier test left running would not give them
        assertEquals("local[2,3]", spark.sparkContext().master(), "a Spark session left running by an earlier test");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        Partitions.closeIdleRuntimes();
    }

    /** The experiment's generated rows as a Spark data set with columns x1..xk and y. */
    private static Dataset<Row> frame(Experiment e) {
        io.descent.data.Dataset d = e.dataset();
        List<org.apache.spark.sql.types.StructField> fields = new java.util.ArrayList<>();
        for (String c : d.columns()) fields.add(org.apache.spark.sql.types.DataTypes.createStructField(c,
                org.apache.spark.sql.types.DataTypes.DoubleType, false));
        fields.add(org.apache.spark.sql.types.DataTypes.createStructField("y", org.apache.spark.sql.types.DataTypes.DoubleType, false));
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < d.rows(); i++) {
            Object[] v = new Object[d.cols() + 1];
            for (int j = 0; j < d.cols(); j++) v[j] = d.x(i, j);
            v[d.cols()] = d.y()[i];
            rows.add(org.apache.spark.sql.RowFactory.create(v));
        }
        return spark.createDataFrame(rows, org.apache.spark.sql.types.DataTypes.createStructType(fields));
    }

    private static Experiment experiment(String objective, String generator, int rows, int features) {
        Experiment e = new Experiment();
        e.objective = objective;
        e.generator = generator;
        e.rows = rows;
        e.features = features;
        e.intercept = objective.equals("logistic"); // seed 000's regression has its own column of ones, 'const'
        if (objective.equals("mlp")) {
            e.layers = List.of(4);
            e.activation = "tanh";
        }
        e.target = "y";
        return e;
    }

    private static void close(ClRuntime rt, Setup... setups) {
        for (Setup s : setups) s.close();
    }

    private static void assertClose(double[] want, double[] got, double rel, String what) {
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= rel * Math.max(scale, 1e-300),
                    what + "[" + i + "]: expected " + want[i] + ", descent on Spark " + got[i]);
        }
    }

    /** loss, gradient, Hessian, Hessian-vector product and a line search's losses, Spark against one device. */
    private static void everyEvaluationAgrees(Experiment e, int partitions) {
        ClRuntime rt = TestDevices.runtime();
        Precision p = Precision.FP64;
        try (Setup local = e.build(rt, p)) {
            Experiment s = experiment(e.objective, e.generator, e.rows, e.features);
            s.layers = e.layers;
            s.activation = e.activation;
            s.intercept = e.intercept;
            s.external = SparkSource.of(frame(e), null, partitions);
            try (Setup remote = s.build(rt, p)) {
                Objective a = local.objective(), b = remote.objective();
                int n = a.parameterCount();
                assertEquals(n, b.parameterCount());
                Random r = new Random(7);
                double[] w = new double[n], v = new double[n];
                for (int i = 0; i < n; i++) {
                    w[i] = 0.3 * r.nextGaussian();
                    v[i] = r.nextGaussian();
                }
                double[] steps = {0, 0.5, 1, 2};
                try (DeviceArray wd = rt.upload(p, w); DeviceArray vd = rt.upload(p, v); DeviceArray sd = rt.upload(p, steps);
                     DeviceArray ga = rt.allocate(p, n); DeviceArray gb = rt.allocate(p, n);
                     DeviceArray la = rt.allocate(p, 4); DeviceArray lb = rt.allocate(p, 4);
                     DeviceArray ha = rt.allocate(p, (long) n * n); DeviceArray hb = rt.allocate(p, (long) n * n)) {
                    assertClose(new double[]{a.loss(wd)}, new double[]{b.loss(wd)}, 1e-12, "loss");
                    a.lossAndGradient(wd, ga, la, 0);
                    b.lossAndGradient(wd, gb, lb, 0);
                    assertClose(ga.read(), gb.read(), 1e-12, "gradient");
                    assertClose(la.read(0, 1), lb.read(0, 1), 1e-12, "loss with the gradient");
                    a.hessian(wd, ha);
                    b.hessian(wd, hb);
                    assertClose(ha.read(), hb.read(), 1e-12, "Hessian");
                    a.hessianVector(wd, vd, ga);
                    b.hessianVector(wd, vd, gb);
                    assertClose(ga.read(), gb.read(), 1e-12, "Hessian-vector product");
                    a.losses(wd, vd, sd, 4, la);
                    b.losses(wd, vd, sd, 4, lb);
                    assertClose(la.read(), lb.read(), 1e-12, "losses along a direction");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> d = ((io.descent.objective.Described) b).describe();
                assertEquals(partitions, d.get("partitions"));
                assertEquals(1, ((List<?>) d.get("executors")).size(), "local mode: the driver is the one executor");
            }
        }
    }

    @Test
    void linearEvaluationsEqualOneDevices() {
        everyEvaluationAgrees(experiment("linear", "seed000-regression", 3001, 6), 3);
    }

    @Test
    void logisticEvaluationsEqualOneDevices() {
        everyEvaluationAgrees(experiment("logistic", "two-class", 2003, 5), 4);
    }

    @Test
    void mlpEvaluationsEqualOneDevices() {
        everyEvaluationAgrees(experiment("mlp", "seed000-mlp", 1501, 3), 2);
    }

    private static double[] fit(Experiment e, String optimizer, long steps) {
        ClRuntime rt = TestDevices.runtime();
        e.steps = steps;
        try (Setup s = e.build(rt, Precision.FP64); io.descent.optim.Optimizer opt = io.descent.train.Run.optimizer(optimizer, e, null)) {
            io.descent.train.Run.Outcome o = io.descent.train.Run.execute(s, opt, new double[s.objective().parameterCount()],
                    new io.descent.train.Trainer(), io.descent.train.Trainer.Options.steps(steps), new io.descent.train.Trainer.Listener() { },
                    null, null);
            return o.params();
        }
    }

    @Test
    void oneNewtonStepGivesMllibsNormalEquationSolution() {
        Experiment e = experiment("linear", "seed000-regression", 4000, 8);
        Dataset<Row> df = frame(e);
        e.external = SparkSource.of(df, null, 4);
        double[] w = fit(e, "newton", 1);
        String[] cols = new String[8];
        for (int j = 0; j < 8; j++) cols[j] = "x" + (j + 1);
        // MLlib zeroes the coefficient of a constant column, so it fits the intercept that descent's 'const' column is
        Dataset<Row> t = new VectorAssembler().setInputCols(cols).setOutputCol("features").transform(df);
        LinearRegressionModel m = new LinearRegression().setSolver("normal").setRegParam(0).setStandardization(false)
                .setFitIntercept(true).setLabelCol("y").fit(t);
        double[] want = new double[9];
        want[0] = m.intercept();
        System.arraycopy(m.coefficients().toArray(), 0, want, 1, 8);
        assertClose(want, w, 1e-9, "MLlib's coefficient (intercept first)");
    }

    @Test
    void newtonLogisticRegressionGivesMllibsOptimum() {
        Experiment e = experiment("logistic", "two-class", 3000, 4);
        Dataset<Row> df = frame(e);
        e.external = SparkSource.of(df, null, 3);
        double[] w = fit(e, "newton", 30);
        Dataset<Row> t = new VectorAssembler().setInputCols(new String[]{"x1", "x2", "x3", "x4"}).setOutputCol("features").transform(df);
        LogisticRegressionModel m = new LogisticRegression().setRegParam(0).setStandardization(false).setFitIntercept(true)
                .setTol(1e-10).setMaxIter(500).setLabelCol("y").fit(t);
        double[] want = new double[5];
        want[0] = m.intercept();
        System.arraycopy(m.coefficients().toArray(), 0, want, 1, 4);
        assertClose(want, w, 1e-5, "coefficient (intercept first), to MLlib's L-BFGS tolerance");
    }

    @Test
    void aFailedTaskIsRetriedToTheSameResult() {
        Experiment e = experiment("linear", "seed000-regression", 2000, 4);
        e.external = SparkSource.of(frame(e), null, 3);
        ClRuntime rt = TestDevices.runtime();
        try (Setup s = e.build(rt, Precision.FP64); DeviceArray w = rt.upload(Precision.FP64, new double[]{0.1, 0.2, 0.3, 0.4, 0.5});
             DeviceArray g1 = rt.allocate(Precision.FP64, 5); DeviceArray g2 = rt.allocate(Precision.FP64, 5)) {
            s.objective().lossAndGradient(w, g1);
            spark.sparkContext().setLocalProperty(Partitions.FAIL_FIRST_ATTEMPT, "1");
            try {
                s.objective().lossAndGradient(w, g2); // partition 1's first attempt fails and drops its block
            } finally {
                spark.sparkContext().setLocalProperty(Partitions.FAIL_FIRST_ATTEMPT, null);
            }
            assertClose(g1.read(), g2.read(), 1e-13, "gradient after a retried task");
        }
    }

    private static UsageException badInput(Dataset<Row> df, String target) {
        Experiment e = experiment("linear", "seed000-regression", 10, 2);
        e.target = target;
        e.external = SparkSource.of(df, null, 2);
        return assertThrows(UsageException.class, () -> e.build(TestDevices.runtime(), Precision.FP64).close());
    }

    @Test
    void badColumnsAreNamed() {
        Experiment e = experiment("linear", "seed000-regression", 50, 2);
        Dataset<Row> df = frame(e);
        String m = badInput(df.withColumn("x2", functions.lit("abc")), "y").getMessage();
        assertTrue(m.contains("'x2'") && m.contains("string") && m.contains("not numbers"), m);
        m = badInput(df, "label").getMessage();
        assertTrue(m.contains("no column 'label'") && m.contains("x1, x2, y"), m);
        m = badInput(df.withColumn("x1", functions.when(functions.col("x1").gt(0), Double.NaN).otherwise(functions.col("x1"))), "y")
                .getMessage();
        assertTrue(m.contains("column 'x1'") && m.contains("NaN") && m.contains("of 50 rows"), m);
        Experiment l = experiment("logistic", "two-class", 50, 2);
        l.external = SparkSource.of(frame(experiment("linear", "seed000-regression", 50, 2)), null, 2);
        m = assertThrows(UsageException.class, () -> l.build(TestDevices.runtime(), Precision.FP64).close()).getMessage();
        assertTrue(m.contains("labels 0 or 1") && m.contains("y"), m);
    }
}
