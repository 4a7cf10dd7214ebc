package io.descent.train;

import io.descent.UsageException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The seeds' experiments by name: data, model, optimizers and hyper-parameters. {@link #apply}
 * fills an {@link Experiment}; options given beside {@code --scenario} override its fields.
 */
public record Scenario(String name, String summary, Consumer<Experiment> defaults) {
    private static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    private static void add(String name, String summary, Consumer<Experiment> defaults) {
        ALL.put(name, new Scenario(name, summary, defaults));
    }

    // seed 000's torch.optim.SGD ran on the full batch: that is gd here (sgd means mini-batches)
    private static final List<String> KEEP_MLP = List.of("gd", "adam", "keepstepping:max_steps=50,scale_i=0",
            "keepstepping:max_steps=50,scale_i=2", "keepstepping:max_steps=10,scale_i=0",
            "keepstepping:max_steps=10,scale_i=2", "keepvaulting:max_steps=10", "keepvaulting:max_steps=50",
            // for these lr is the first trial step of the line search: 1 is its natural value
            "backtracking:lr=1", "lbfgs:lr=1");

    static {
        add("linear-1m", "seed 000: 1M x 10 regression plus a column of ones; GD lr 0.02 for 100 steps vs one Newton step",
                e -> {
                    e.objective = "linear";
                    e.generator = "seed000-regression";
                    e.rows = 1_000_000;
                    e.features = 10;
                    e.optimizers = list("gd:lr=0.02", "newton");
                    e.steps = 100;
                });
        add("mlp-10k", "seed 000 figures 9-10: 10K x 20, 5 hidden layers of 10, no activation, lr 1e-3",
                e -> mlp(e, 10_000, 20, 10, 6, "identity", 1e-3));
        add("mlp-100k-wide", "seed 000 figure 11: 100K x 100, 5 hidden layers of 20, no activation, lr 1e-4",
                e -> mlp(e, 100_000, 100, 20, 6, "identity", 1e-4));
        add("mlp-100k-relu", "seed 000 figure 12: 100K x 10, 3 hidden ReLU layers of 10, lr 1e-4",
                e -> mlp(e, 100_000, 10, 10, 4, "relu", 1e-4));
        add("mlp-100k-linear", "seed 000 figure 13: 100K x 100, no hidden layer (a linear regression), lr 1e-4",
                e -> mlp(e, 100_000, 100, 0, 0, "identity", 1e-4));
        add("line-100", "seed 001: 100 noisy points of y = 5x + 2 with every first- and second-order method",
                e -> {
                    e.objective = "linear";
                    e.generator = "seed001-line";
                    e.intercept = true;
                    e.optimizers = list("gd:lr=0.01", "momentum:lr=0.01,momentum=0.5", "nesterov:lr=0.01,momentum=0.5",
                            "adagrad:lr=1", "rmsprop:lr=0.1", "adadelta", "adam:lr=0.5", "newton");
                    e.steps = 50;
                });
        function("x2", "seed 002: x^2 from x = 10; try --lr 0.05 (slow), 0.2 (converges), 1.1 (diverges)",
                "x2", list("gd:lr=0.2", "gd:lr=0.05"), 20);
        function("xcos", "seed 002: x cos(0.15 pi x) from x = 10: local minima; pure Newton walks to a maximum",
                "xcos", list("gd:lr=0.1", "newton", "damped-newton"), 30);
        function("cosh", "seed 002: cosh(0.5 x) from x = 10; Newton converges", "cosh", list("gd:lr=1", "newton"), 20);
        function("quadratic2d", "seed 002: x1^2 + 2 x2^2, the anisotropic quadratic, with its 2-D trajectories",
                "quadratic2d", list("gd:lr=0.1", "momentum:lr=0.1,momentum=0.5", "adam:lr=0.5", "newton"), 50);
        function("rosenbrock", "Rosenbrock in 2 dimensions from (-1.2, 1)", "rosenbrock",
                list("gd:lr=0.001", "adam:lr=0.05", "lbfgs", "damped-newton"), 500);
    }

    private static void mlp(Experiment e, int rows, int dimIn, int width, int hiddenLayers, String act, double lr) {
        e.objective = "mlp";
        e.generator = "seed000-mlp";
        e.rows = rows;
        e.features = dimIn;
        e.layers = new ArrayList<>();
        for (int i = 0; i < hiddenLayers; i++) e.layers.add(width);
        e.activation = act;
        e.lr = lr;
        e.optimizers = new ArrayList<>(KEEP_MLP);
        e.steps = 1000;
        e.keepSteps = 100; // as the post: n_steps = 1000 if not 'K' in name else 100
    }

    private static void function(String name, String summary, String f, List<String> optimizers, long steps) {
        add(name, summary, e -> {
            e.objective = "function:" + f;
            e.optimizers = optimizers;
            e.steps = steps;
        });
    }

    private static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }

    public void apply(Experiment e) {
        defaults.accept(e);
    }

    public static Iterable<Scenario> all() {
        return ALL.values();
    }

    public static Scenario get(String name) {
        Scenario s = ALL.get(name);
        if (s == null) {
            throw new UsageException("unknown scenario '" + name + "': choose one of " + String.join(", ", ALL.keySet())
                    + " ('descent scenarios' describes them)");
        }
        return s;
    }
}
