package io.descent.cli;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.data.Dataset;
import io.descent.objective.LinearRegression;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import io.descent.report.Chart;
import io.descent.report.ContourChart;
import io.descent.train.Experiment;
import io.descent.train.History;
import io.descent.train.Run;
import io.descent.train.Setup;
import io.descent.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.DoubleBinaryOperator;

/**
 * {@code descent trace}: optimizers' iterates drawn as the seeds draw them: paths over the loss's
 * contour map for any objective with two parameters (seed 001's (b, w) on its noisy line, seed
 * 002's 2-D functions), points on the curve for one parameter. The paths are also written as CSV.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Draw optimizers' paths over the loss of a 1- or 2-parameter objective (PNG and CSV).",
        description = {"Draw optimizers' paths over the loss of a 1- or 2-parameter objective to a PNG (and CSV):",
                "a test function (--function) or any problem with two parameters, e.g. --scenario line-100.",
                "Example: descent trace --function quadratic2d --optimizers gd:lr=0.1,momentum:lr=0.1,adam:lr=0.5"})
final class TraceCommand implements Callable<Integer> {
    @Option(names = "--function", paramLabel = "NAME",
            description = "A test function's scenario: x2, xcos, cosh, quadratic2d or rosenbrock (2-D).")
    String function;

    @Mixin
    ExperimentOptions experimentOptions;

    @Option(names = "--optimizers", paramLabel = "SPECS", description = "Optimizers, comma-separated (default: the scenario's).")
    String optimizers;

    @Option(names = "--start", split = ",", paramLabel = "X", description = "Starting point (default: the objective's).")
    List<Double> start;

    @Option(names = "--init", paramLabel = "HOW", defaultValue = "zeros",
            description = "Starting point of a data objective without --start: zeros (default), default, normal.")
    String init;

    @Option(names = "--out", paramLabel = "FILE",
            description = "PNG to write (default trace-NAME.png); the paths go to the same name with .csv.")
    Path out;

    @Mixin
    DeviceOptions deviceOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        OutputPaths.file("--out", out);
        if (function != null) {
            if (experimentOptions.scenario != null) throw new UsageException("give --function or --scenario, not both");
            experimentOptions.scenario = function;
        }
        Experiment e = experimentOptions.experiment();
        String name = experimentOptions.scenario != null ? experimentOptions.scenario : e.objective;
        List<String> specs = optimizers == null ? e.optimizers : CompareCommand.splitSpecs(optimizers);
        for (String s : specs) Run.optimizer(s, e, null).close();
        Path file = out != null ? out : Path.of("trace-" + name.replaceAll("[^A-Za-z0-9._-]+", "_") + ".png");
        List<double[][]> paths = new ArrayList<>();
        List<double[]> losses = new ArrayList<>();
        try (OutputLock lock = OutputLock.acquireFile("--out", file, spec.qualifiedName(), spec.commandLine().getErr());
             ClRuntime rt = ClRuntime.open(deviceOptions.select()); Setup setup = e.build(rt, experimentOptions.precision())) {
            Objective f = setup.objective();
            int p = f.parameterCount();
            if (p > 2) {
                throw new UsageException(name + " has " + p + " parameters: trace draws objectives with 1 or 2 (e.g. "
                        + "--scenario line-100, a line with an intercept)");
            }
            double[] x0 = start != null ? start.stream().mapToDouble(Double::doubleValue).toArray()
                    : f instanceof TestFunction t ? t.start() : Run.init(init, setup);
            if (x0.length != p) {
                throw new UsageException("--start has " + x0.length + " values, " + name + " has " + p);
            }
            for (String s : specs) {
                List<double[]> points = new ArrayList<>();
                List<Double> values = new ArrayList<>();
                points.add(x0.clone());
                Problem[] live = new Problem[1];
                Trainer.Listener listener = new Trainer.Listener() {
                    @Override
                    public void recorded(History.Row row, long total) {
                        values.add(row.loss()); // the loss at the previous point
                        points.add(live[0].readParams()); // read after every step (readEvery 1): this step's point
                    }
                };
                try (Optimizer opt = Run.optimizer(s, e, null)) {
                    Run.Outcome o = Run.executeTracking(setup, opt, x0, new Trainer(),
                            Trainer.Options.steps(e.steps).readEvery(1), listener, null, null, q -> live[0] = q, q -> { });
                    values.add((Double) o.report().json.get("final_loss"));
                    stdout.printf(Locale.ROOT, "%-32s %s after %d steps: x = %s, f = %.6g%n", s,
                            o.diverged() ? "diverged" : "stopped", ((Number) o.report().json.get("steps")).longValue(),
                            java.util.Arrays.toString(o.params()), (Double) o.report().json.get("final_loss"));
                }
                paths.add(points.toArray(new double[0][]));
                losses.add(values.stream().mapToDouble(Double::doubleValue).toArray());
            }
            draw(setup, name, specs, paths, file);
        }
        Path csv = file.resolveSibling(file.getFileName().toString().replaceAll("\\.png$", "") + ".csv");
        writeCsv(csv, specs, paths, losses);
        stdout.println("wrote " + file.toAbsolutePath() + " and " + csv.toAbsolutePath());
        stdout.flush();
        return 0;
    }

    private static void writeCsv(Path csv, List<String> names, List<double[][]> paths, List<double[]> losses) {
        StringBuilder b = new StringBuilder("optimizer,step,x1,x2,loss\n"); // loss: at that point
        for (int i = 0; i < paths.size(); i++) {
            double[][] path = paths.get(i);
            double[] l = losses.get(i);
            for (int k = 0; k < path.length; k++) {
                b.append('"').append(names.get(i).replace("\"", "\"\"")).append("\",").append(k).append(',')
                        .append(path[k][0]).append(',').append(path[k].length > 1 ? Double.toString(path[k][1]) : "")
                        .append(',').append(k < l.length ? Double.toString(l[k]) : "").append('\n');
            }
        }
        TrainCommand.writeFile(csv, b.toString());
    }

    /**
     * The loss as a host function of the parameters, for the contour map: a test function's own
     * float64 value; for least squares the exact quadratic from the data's moments; for anything else
     * the device loss on a 64 x 64 grid, interpolated.
     */
    private static DoubleBinaryOperator surface(Setup setup, double[] xr, double[] yr) {
        Objective f = setup.objective();
        if (f instanceof TestFunction t) {
            return (x, y) -> t.hostValue(new double[]{x, y});
        }
        if (f instanceof LinearRegression lr && setup.hostData() != null) {
            Dataset d = setup.hostData();
            boolean ic = lr.intercept();
            double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0, c = 0;
            for (int i = 0; i < d.rows(); i++) {
                double u = ic ? 1 : d.x()[i * d.cols()], v = ic ? d.x()[i * d.cols()] : d.x()[i * d.cols() + 1];
                double yv = d.y()[i];
                a11 += u * u; a12 += u * v; a22 += v * v; b1 += u * yv; b2 += v * yv; c += yv * yv;
            }
            int n = d.rows();
            double alpha = lr.alpha();
            double q11 = a11 / n, q12 = a12 / n, q22 = a22 / n, r1 = b1 / n, r2 = b2 / n, s = c / n;
            return (x, y) -> q11 * x * x + 2 * q12 * x * y + q22 * y * y - 2 * (r1 * x + r2 * y) + s
                    + alpha * ((ic ? 0 : x * x) + y * y);
        }
        int g = 64;
        double[][] v = new double[g][g];
        try (DeviceArray w = f.runtime().allocate(f.precision(), 2)) {
            for (int j = 0; j < g; j++) {
                for (int i = 0; i < g; i++) {
                    w.write(new double[]{xr[0] + (xr[1] - xr[0]) * i / (g - 1), yr[0] + (yr[1] - yr[0]) * j / (g - 1)});
                    v[j][i] = f.loss(w);
                }
            }
        }
        return (x, y) -> {
            double fx = Math.max(0, Math.min(g - 1, (x - xr[0]) / (xr[1] - xr[0]) * (g - 1)));
            double fy = Math.max(0, Math.min(g - 1, (y - yr[0]) / (yr[1] - yr[0]) * (g - 1)));
            int i = Math.min(g - 2, (int) fx), j = Math.min(g - 2, (int) fy);
            double tx = fx - i, ty = fy - j;
            return (1 - ty) * ((1 - tx) * v[j][i] + tx * v[j][i + 1]) + ty * ((1 - tx) * v[j + 1][i] + tx * v[j + 1][i + 1]);
        };
    }

    private static void draw(Setup setup, String name, List<String> names, List<double[][]> paths, Path file) {
        Objective f = setup.objective();
        double lo0 = Double.POSITIVE_INFINITY, hi0 = Double.NEGATIVE_INFINITY, lo1 = lo0, hi1 = hi0;
        for (double[][] path : paths) {
            for (double[] p : path) {
                if (!Double.isFinite(p[0]) || (p.length > 1 && !Double.isFinite(p[1]))) continue;
                lo0 = Math.min(lo0, p[0]);
                hi0 = Math.max(hi0, p[0]);
                if (p.length > 1) {
                    lo1 = Math.min(lo1, p[1]);
                    hi1 = Math.max(hi1, p[1]);
                }
            }
        }
        double[] m = f instanceof TestFunction t ? t.minimizer() : null;
        if (m != null) {
            lo0 = Math.min(lo0, m[0]);
            hi0 = Math.max(hi0, m[0]);
            if (m.length > 1) {
                lo1 = Math.min(lo1, m[1]);
                hi1 = Math.max(hi1, m[1]);
            }
        }
        double pad0 = Math.max(0.15 * (hi0 - lo0), 0.5);
        String title = f.name();
        if (f.parameterCount() == 2) {
            double pad1 = Math.max(0.15 * (hi1 - lo1), 0.5);
            double[] xr = {lo0 - pad0, hi0 + pad0}, yr = {lo1 - pad1, hi1 + pad1};
            String[] axes = f instanceof io.descent.objective.LinearModel lm ? lm.parameterNames() : new String[]{"x1", "x2"};
            ContourChart c = new ContourChart(title, axes[0], axes[1], surface(setup, xr, yr), xr, yr);
            for (int i = 0; i < paths.size(); i++) {
                double[][] p = paths.get(i);
                double[] xs = new double[p.length], ys = new double[p.length];
                for (int k = 0; k < p.length; k++) {
                    xs[k] = p[k][0];
                    ys[k] = p[k][1];
                }
                c.add(new Chart.Series(names.get(i), xs, ys, true));
            }
            c.write(file);
            return;
        }
        Chart c = new Chart(title, "x", "f(x)");
        TestFunction t = f instanceof TestFunction tf ? tf : null;
        int n = 400;
        double[] cx = new double[n], cy = new double[n];
        try (DeviceArray w = f.runtime().allocate(f.precision(), 1)) {
            for (int k = 0; k < n; k++) {
                cx[k] = lo0 - pad0 + (hi0 - lo0 + 2 * pad0) * k / (n - 1);
                if (t != null) {
                    cy[k] = t.hostValue(new double[]{cx[k]});
                } else {
                    w.write(new double[]{cx[k]});
                    cy[k] = f.loss(w);
                }
            }
        }
        c.add(new Chart.Series("f", cx, cy, false));
        for (int i = 0; i < paths.size(); i++) {
            double[][] p = paths.get(i);
            double[] xs = new double[p.length], ys = new double[p.length];
            for (int k = 0; k < p.length; k++) {
                xs[k] = p[k][0];
                ys[k] = t != null ? t.hostValue(p[k]) : Double.NaN;
            }
            c.add(new Chart.Series(names.get(i), xs, ys, true));
        }
        c.write(file);
    }
}
