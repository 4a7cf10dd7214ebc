package io.descent.cli;

import io.descent.bench.ObjectiveBench;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;
import io.descent.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code descent bench objectives}: timings of the objectives' device work, as JSON for
 * benchmarks/objectives.sh, which runs the numpy and PyTorch peers on the same work beside it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time device work (warm-up, repeats, median and spread) and print JSON.",
        subcommands = {BenchCommand.Objectives.class, BenchCommand.OptimizerSteps.class, BenchCommand.NewtonSteps.class,
                BenchCommand.Roofline.class, BenchCommand.Tune.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "tune", mixinStandardHelpOptions = true,
            description = {"Sweep the tuning keys one kernel family reads (a runtime per candidate), check each "
                    + "result against the current tuning, and rank by device time.",
                    "Prints JSON; progress and the best DESCENT_TUNING line go to stderr.",
                    "Example: descent bench tune --target linear --sweep \"WGS=128,256 GROUPS_PER_CU=4,8\""})
    static final class Tune implements Callable<Integer> {
        @Mixin
        DeviceOptions deviceOptions;

        @Option(names = "--target", defaultValue = "linear",
                description = "linear (fused gradient), hessian, mlp or cholesky (default ${DEFAULT-VALUE}).")
        String target;

        @Option(names = "--sweep", description = "Space-separated KEY=V1,V2,... (default: the target's keys around "
                + "the device kind's entry; keys in 'descent devices --json').")
        String sweep;

        @Option(names = "--size", description = "Rows (linear, hessian, mlp) or n (cholesky); default by device kind.")
        Integer size;

        @Option(names = "--precision", defaultValue = "fp32", description = "Default ${DEFAULT-VALUE}.")
        String precision;

        @Option(names = "--warmup", defaultValue = "2", description = "Default ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--repeats", defaultValue = "10", description = "Default ${DEFAULT-VALUE}.")
        int repeats;

        @Option(names = "--rounds", defaultValue = "2",
                description = "Passes over the candidates, alternating their order; each keeps its best "
                        + "(default ${DEFAULT-VALUE}).")
        int rounds;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            DeviceInfo device = deviceOptions.select();
            io.descent.bench.TuneBench.Target t = io.descent.bench.TuneBench.Target.parse(target);
            List<String> candidates = io.descent.bench.TuneBench.candidates(
                    sweep != null ? sweep : io.descent.bench.TuneBench.defaultSweep(t, device));
            PrintWriter err = spec.commandLine().getErr();
            Map<String, Object> result = new io.descent.bench.TuneBench(device, warmup, repeats).run(t,
                    Precision.parse(precision), size != null ? size : io.descent.bench.TuneBench.defaultSize(t, device),
                    candidates, rounds, line -> {
                        err.println("tune: " + line);
                        err.flush();
                    });
            if (Boolean.TRUE.equals(result.get("beyond_noise"))) {
                err.printf("tune: best %s=\"%s\": %.2fx the current tuning head to head%n",
                        io.descent.cl.DeviceTuning.ENV, result.get("best"), (double) result.get("best_speedup"));
            } else {
                err.printf("tune: no candidate beat the current tuning beyond the noise (sweep's best: \"%s\", "
                        + "%.2fx head to head); keep the current one%n", result.get("best"), (double) result.get("best_speedup"));
            }
            spec.commandLine().getOut().println(Json.write(result));
            return 0;
        }
    }

    @Command(name = "roofline", mixinStandardHelpOptions = true,
            description = {"The device's ceilings (copy bandwidth, CLBlast GEMM rate) and how close descent comes: "
                    + "the fused linear gradient and Hessian against the bandwidth, a Newton step by phase, the "
                    + "Cholesky against the GEMM rate, and each MLP scenario's gradient with its launch overhead.",
                    "Sizes default to issue 8's on a GPU (100M x 11 rows, GEMM 8192, Cholesky 1024..8192) and to "
                            + "smaller ones on a CPU."})
    static final class Roofline implements Callable<Integer> {
        @Mixin
        DeviceOptions deviceOptions;

        @Option(names = "--precision", split = ",", description = "Default: fp32 and, where the device has it, fp64.")
        List<String> precisions;

        @Option(names = "--rows", description = "Rows of the linear regression (default: 100,000,000 on a GPU, "
                + "1,000,000 on a CPU).")
        Integer rows;

        @Option(names = "--gemm", description = "GEMM size n (default: 8192 on a GPU, 1024 on a CPU).")
        Integer gemm;

        @Option(names = "--copy-mib", description = "MiB copied for the bandwidth (default: 1024 on a GPU, 256 on a CPU, "
                + "at most an eighth of the device's memory).")
        Integer copyMib;

        @Option(names = "--cholesky", split = ",", description = "Cholesky sizes (default: 1024,2048,4096,8192 on a GPU, "
                + "256,512,1024 on a CPU).")
        int[] cholesky;

        @Option(names = "--scenarios", split = ",", description = "MLP scenarios (default: mlp-10k, mlp-100k-wide, "
                + "mlp-100k-relu, mlp-100k-linear).")
        List<String> scenarios;

        @Option(names = "--warmup", defaultValue = "3", description = "Default ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--repeats", defaultValue = "20", description = "Default ${DEFAULT-VALUE}.")
        int repeats;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (repeats < 1 || warmup < 0) {
                throw new io.descent.UsageException("--repeats must be >= 1 and --warmup >= 0");
            }
            DeviceInfo device = deviceOptions.select();
            List<Precision> ps = precisions == null
                    ? (device.fp64() ? List.of(Precision.FP32, Precision.FP64) : List.of(Precision.FP32))
                    : precisions.stream().map(Precision::parse).toList();
            for (Precision p : ps) {
                p.requireSupportedBy(device);
            }
            io.descent.bench.RooflineBench.Plan d = io.descent.bench.RooflineBench.defaults(device, ps);
            io.descent.bench.RooflineBench.Plan plan = new io.descent.bench.RooflineBench.Plan(
                    copyMib != null ? positive("--copy-mib", copyMib) * (1L << 20) : d.copyBytes(),
                    gemm != null ? positive("--gemm", gemm) : d.gemmN(),
                    rows != null ? positive("--rows", rows) : d.rows(), d.features(), ps,
                    cholesky != null ? cholesky : d.choleskySizes(),
                    scenarios != null ? scenarios : d.scenarios(), d.maxSeconds());
            for (int n : plan.choleskySizes()) positive("--cholesky", n);
            for (String s : plan.scenarios()) {
                if (!s.startsWith("mlp")) {
                    throw new io.descent.UsageException("--scenarios: '" + s + "' is not an MLP scenario (mlp-10k, "
                            + "mlp-100k-wide, mlp-100k-relu, mlp-100k-linear)");
                }
                io.descent.train.Scenario.get(s);
            }
            PrintWriter err = spec.commandLine().getErr();
            Map<String, Object> result;
            try (ClRuntime rt = ClRuntime.open(device)) {
                result = new io.descent.bench.RooflineBench(rt, warmup, repeats).run(plan, step -> {
                    err.println("roofline: " + step);
                    err.flush();
                });
            }
            spec.commandLine().getOut().println(Json.write(result));
            return 0;
        }

        private static int positive(String option, int v) {
            if (v < 1) {
                throw new io.descent.UsageException(option + " " + v + ": must be at least 1");
            }
            return v;
        }
    }

    @Command(name = "newton", mixinStandardHelpOptions = true,
            description = "One Newton step on seed 000's regression (Hessian assembly + solve + update, by phase) "
                    + "and the device Cholesky for n = 64 .. 4096.")
    static final class NewtonSteps implements Callable<Integer> {
        @Mixin
        DeviceOptions deviceOptions;

        @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the regression (default ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--warmup", defaultValue = "2", description = "Default ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--repeats", defaultValue = "10", description = "Default ${DEFAULT-VALUE}.")
        int repeats;

        @Option(names = "--max-seconds", defaultValue = "20",
                description = "Skip larger Cholesky sizes once one takes longer than this (default ${DEFAULT-VALUE}).")
        double maxSeconds;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ClRuntime rt = ClRuntime.open(deviceOptions.select())) {
                Map<String, Object> result = new io.descent.bench.NewtonBench(rt, warmup, repeats).run(rows, maxSeconds);
                spec.commandLine().getOut().println(Json.write(result));
            }
            return 0;
        }
    }

    @Command(name = "optimizers", mixinStandardHelpOptions = true,
            description = "Per-step device time of the gradient and of the update for each optimizer, on seed 000's "
                    + "MLP (10K x 20, 5 + 1 hidden layers of 10) and its 1M x 11 linear regression.")
    static final class OptimizerSteps implements Callable<Integer> {
        @Mixin
        DeviceOptions deviceOptions;

        @Option(names = "--optimizers", split = ",", defaultValue = "gd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamw",
                description = "Optimizers to time (default ${DEFAULT-VALUE}).")
        List<String> optimizers;

        @Option(names = "--precision", split = ",", defaultValue = "fp32,fp64", description = "Default ${DEFAULT-VALUE}.")
        List<String> precisions;

        @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the linear regression (default ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--warmup", defaultValue = "10", description = "Default ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--repeats", defaultValue = "50", description = "Default ${DEFAULT-VALUE}.")
        int repeats;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            DeviceInfo device = deviceOptions.select();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("device", device.name());
            try (ClRuntime rt = ClRuntime.open(device)) {
                io.descent.bench.OptimizerBench bench = new io.descent.bench.OptimizerBench(rt, warmup, repeats, 42);
                for (String name : precisions) {
                    Precision p = Precision.parse(name);
                    try (io.descent.data.DeviceDataset d = new io.descent.data.DeviceDataset(rt,
                            io.descent.data.Generators.seed000Mlp(10_000, 20, 0), p);
                         io.descent.objective.Mlp m = new io.descent.objective.Mlp(d, io.descent.objective.MlpSpec.seed000(
                                 20, 10, 5, io.descent.objective.MlpSpec.Activation.IDENTITY))) {
                        result.put("mlp_" + p.label(), bench.measureSpecs(m, optimizers));
                    }
                    try (io.descent.data.DeviceDataset d = new io.descent.data.DeviceDataset(rt,
                            io.descent.data.Generators.seed000Regression(rows, 10, 42).data(), p);
                         io.descent.objective.LinearRegression m = new io.descent.objective.LinearRegression(d, false, 0)) {
                        result.put("linear_" + p.label(), bench.measureSpecs(m, optimizers));
                    }
                }
            }
            spec.commandLine().getOut().println(Json.write(result));
            return 0;
        }
    }

    @Command(name = "objectives", mixinStandardHelpOptions = true,
            description = "Fused gradient, loss and Hessian of seed 000's linear regression; gradient and loss of its MLP.")
    static final class Objectives implements Callable<Integer> {
        @Mixin
        DeviceOptions deviceOptions;

        @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the regression (default ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--features", defaultValue = "10", description = "Features besides the column of ones (default ${DEFAULT-VALUE}).")
        int features;

        @Option(names = "--mlp-rows", defaultValue = "10000",
                description = "Rows of seed 000's MLP data (20 inputs, 5 + 1 hidden layers of 10; default ${DEFAULT-VALUE}).")
        int mlpRows;

        @Option(names = "--precision", split = ",", defaultValue = "fp32,fp64",
                description = "Precisions to time (default ${DEFAULT-VALUE}).")
        List<String> precisions;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--repeats", defaultValue = "20", description = "Timed runs (default ${DEFAULT-VALUE}).")
        int repeats;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (rows < 1 || features < 1 || repeats < 1 || warmup < 0) {
                throw new io.descent.UsageException("--rows, --features and --repeats must be >= 1 and --warmup >= 0");
            }
            PrintWriter out = spec.commandLine().getOut();
            DeviceInfo device = deviceOptions.select();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("device", device.name());
            result.put("device_type", device.type());
            result.put("driver", device.driverVersion());
            result.put("rows", rows);
            result.put("cols", features + 1);
            Map<String, Object> cases = new LinkedHashMap<>();
            try (ClRuntime rt = ClRuntime.open(device)) {
                ObjectiveBench bench = new ObjectiveBench(rt, warmup, repeats);
                for (String name : precisions) {
                    Precision p = Precision.parse(name);
                    cases.putAll(bench.linear(rows, features, p));
                    cases.putAll(bench.mlp(mlpRows, 20, 10, 5, p));
                }
            }
            result.put("cases", cases);
            out.println(Json.write(result));
            return 0;
        }
    }
}
