package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;

/**
 * The deterministic problems the search methods are tested on, each as a device {@link Problem}
 * (with whatever it owns) and its {@link HostObjective} twin.
 */
final class Cases {
    private Cases() {
    }

    /** A device problem, its host twin and the device objects to close with it. */
    static final class Open implements AutoCloseable {
        final String name;
        final Problem problem;
        final HostObjective host;
        private final AutoCloseable[] owned;

        Open(String name, Problem problem, HostObjective host, AutoCloseable... owned) {
            this.name = name;
            this.problem = problem;
            this.host = host;
            this.owned = owned;
        }

        @Override
        public String toString() {
            return name;
        }

        @Override
        public void close() throws Exception {
            problem.close();
            for (AutoCloseable c : owned) {
                c.close();
            }
        }
    }

    /** x1^2 + 2 x2^2 from (-5, -2). */
    static Open quadratic2d(Precision p) {
        ClRuntime rt = TestDevices.runtime();
        TestFunction f = new TestFunction(rt, p, "quadratic2d", 2);
        return new Open("quadratic2d " + p.label(), new Problem(f, f.start()), new HostObjective.Quadratic2d(), f);
    }

    /** Rosenbrock in pairs of dimension dim from (-1.2, 1, ...). */
    static Open rosenbrock(Precision p, int dim) {
        ClRuntime rt = TestDevices.runtime();
        TestFunction f = new TestFunction(rt, p, "rosenbrock", dim);
        return new Open("rosenbrock" + dim + " " + p.label(), new Problem(f, f.start()),
                new HostObjective.Rosenbrock(dim), f);
    }

    /** A linear regression with an intercept on {@code data} from w = 0 (host data rounded to p). */
    static Open linear(String name, Dataset data, boolean intercept, Precision p) {
        ClRuntime rt = TestDevices.runtime();
        Dataset rounded = rounded(data, p);
        DeviceDataset d = new DeviceDataset(rt, rounded, p);
        Objective f = new LinearRegression(d, intercept, 0);
        return new Open(name + " " + p.label(), new Problem(f, new double[f.parameterCount()]),
                new HostObjective.Linear(rounded, intercept), f, d);
    }

    /** Seed 001's line (100 points, slope 5, intercept 2, noise 3), seed 1. */
    static Open line(Precision p) {
        return linear("seed001 line", Generators.seed001Line(1).data(), true, p);
    }

    /** Seed 000's regression with n rows and k features (the column of ones is parameter 0), seed 0. */
    static Open seed000(Precision p, int n, int k) {
        return linear("seed000 regression " + n + "x" + k, Generators.seed000Regression(n, k, 0).data(), false, p);
    }

    /**
     * Main's small test MLP (4-6-5-1, tanh, MSE) on 64 rows of seed 000's MLP task (seed 7), from
     * its seeded initialisation (seed 11): {@link Fixture.SmallMlp}'s problem.
     */
    static Open smallMlp(Precision p) {
        ClRuntime rt = TestDevices.runtime();
        MlpSpec spec = Fixture.SmallMlp.SPEC;
        Dataset data = Generators.seed000Mlp(Fixture.SmallMlp.ROWS, spec.dimIn(), 7);
        Dataset r = rounded(data, p);
        DeviceDataset d = new DeviceDataset(rt, r, p);
        Mlp f = new Mlp(d, spec);
        return new Open("small mlp " + p.label(), new Problem(f, spec.initialParameters(new java.util.Random(11))),
                new HostObjective.Network(spec, r), f, d);
    }

    static Dataset rounded(Dataset d, Precision p) {
        double[] x = d.x().clone();
        double[] y = d.y().clone();
        for (int i = 0; i < x.length; i++) x[i] = p.round(x[i]);
        for (int i = 0; i < y.length; i++) y[i] = p.round(y[i]);
        return new Dataset(d.name(), d.rows(), d.cols(), x, y, d.columns(), d.target(), null, null);
    }
}
