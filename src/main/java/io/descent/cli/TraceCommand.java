package io.descent.cli;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
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

/**
 * {@code descent trace}: optimizers' iterates on a test function, drawn as seed 002 draws them:
 * paths over the contour map for 2-D functions, points on the curve for 1-D ones.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw optimizers' paths on a test function (x2, xcos, cosh, quadratic2d, rosenbrock) to a PNG.",
                "Example: descent trace --function quadratic2d --optimizers gd:lr=0.1,momentum:lr=0.1,adam:lr=0.5"})
final class TraceCommand implements Callable<Integer> {
    @Option(names = "--function", paramLabel = "NAME", required = true,
            description = "x2, xcos, cosh, quadratic2d or rosenbrock (2-D).")
    String function;

    @Option(names = "--optimizers", paramLabel = "SPECS", description = "Optimizers, comma-separated (default: the scenario's).")
    String optimizers;

    @Option(names = "--start", split = ",", paramLabel = "X", description = "Starting point (default: the function's).")
    List<Double> start;

    @Option(names = "--steps", paramLabel = "N", description = "Steps per optimizer (default: the scenario's).")
    Long steps;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate for optimizers that do not set their own.")
    Double lr;

    @Option(names = "--precision", paramLabel = "fp32|fp64", defaultValue = "fp64", description = "Default ${DEFAULT-VALUE}.")
    String precision;

    @Option(names = "--out", paramLabel = "FILE", description = "PNG to write (default trace-FUNCTION.png).")
    Path out;

    @Mixin
    DeviceOptions deviceOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        Experiment e = new Experiment();
        io.descent.train.Scenario.get(function).apply(e); // each function has a scenario with its demo optimizers
        if (steps != null) e.steps = steps;
        if (lr != null) e.lr = lr;
        List<String> specs = optimizers == null ? e.optimizers : CompareCommand.splitSpecs(optimizers);
        for (String s : specs) Run.optimizer(s, e, null).close();
        Path file = out != null ? out : Path.of("trace-" + function + ".png");
        List<double[][]> paths = new ArrayList<>();
        try (ClRuntime rt = ClRuntime.open(deviceOptions.select()); Setup setup = e.build(rt, Precision.parse(precision))) {
            TestFunction f = (TestFunction) setup.objective();
            if (f.parameterCount() > 2) throw new UsageException("trace draws 1-D and 2-D functions only");
            double[] x0 = start == null ? f.start() : start.stream().mapToDouble(Double::doubleValue).toArray();
            if (x0.length != f.parameterCount()) {
                throw new UsageException("--start has " + x0.length + " values, " + function + " has " + f.parameterCount());
            }
            for (String s : specs) {
                List<double[]> points = new ArrayList<>();
                points.add(x0.clone());
                Problem[] live = new Problem[1];
                Trainer.Listener listener = new Trainer.Listener() {
                    @Override
                    public void recorded(History.Row row, long total) {
                        points.add(live[0].readParams()); // a host read per step: fine for a plot
                    }
                };
                try (Optimizer opt = Run.optimizer(s, e, null)) {
                    Run.Outcome o = Run.executeTracking(setup, opt, x0, new Trainer(),
                            Trainer.Options.steps(e.steps), listener, null, null, p -> live[0] = p, p -> { });
                    stdout.printf(Locale.ROOT, "%-32s %s after %d steps: x = %s, f = %.6g%n", s,
                            o.diverged() ? "diverged" : "stopped", ((Number) o.report().json.get("steps")).longValue(),
                            java.util.Arrays.toString(o.params()), (Double) o.report().json.get("final_loss"));
                }
                paths.add(points.toArray(new double[0][]));
            }
            draw(f, specs, paths, file);
        }
        stdout.println("wrote " + file.toAbsolutePath());
        stdout.flush();
        return 0;
    }

    private void draw(TestFunction f, List<String> names, List<double[][]> paths, Path file) {
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
        double[] m = f.minimizer();
        if (m != null) {
            lo0 = Math.min(lo0, m[0]);
            hi0 = Math.max(hi0, m[0]);
            if (m.length > 1) {
                lo1 = Math.min(lo1, m[1]);
                hi1 = Math.max(hi1, m[1]);
            }
        }
        double pad0 = Math.max(0.15 * (hi0 - lo0), 0.5);
        if (f.parameterCount() == 2) {
            double pad1 = Math.max(0.15 * (hi1 - lo1), 0.5);
            ContourChart c = new ContourChart(f.name(), (x, y) -> f.hostValue(new double[]{x, y}),
                    new double[]{lo0 - pad0, hi0 + pad0}, new double[]{lo1 - pad1, hi1 + pad1});
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
        Chart c = new Chart(f.name(), "x", "f(x)");
        int n = 400;
        double[] cx = new double[n], cy = new double[n];
        for (int k = 0; k < n; k++) {
            cx[k] = lo0 - pad0 + (hi0 - lo0 + 2 * pad0) * k / (n - 1);
            cy[k] = f.hostValue(new double[]{cx[k]});
        }
        c.add(new Chart.Series("f", cx, cy, false));
        for (int i = 0; i < paths.size(); i++) {
            double[][] p = paths.get(i);
            double[] xs = new double[p.length], ys = new double[p.length];
            for (int k = 0; k < p.length; k++) {
                xs[k] = p[k][0];
                ys[k] = f.hostValue(p[k]);
            }
            c.add(new Chart.Series(names.get(i), xs, ys, true));
        }
        c.write(file);
    }
}
