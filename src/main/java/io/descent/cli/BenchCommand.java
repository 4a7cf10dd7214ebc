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
                BenchRooflineCommand.class, BenchTuneCommand.class, BenchCommand.LayerProducts.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "layers", mixinStandardHelpOptions = true,
            description = "The matrix products of a network's mini-batch step, each timed at its shape, as GFLOP/s next "
                    + "to the square GEMM rate at --gemm (the engine the tuning selects).")
    static final class LayerProducts implements Callable<Integer> {
        @Mixin
        DeviceOptions deviceOptions;

        @Option(names = "--network", defaultValue = "784,256,256,10",
                description = "Widths, inputs to outputs (default ${DEFAULT-VALUE}).")
        String network;

        @Option(names = "--batches", split = ",", defaultValue = "128,1024", description = "Rows per block (default ${DEFAULT-VALUE}).")
        int[] batches;

        @Option(names = "--precision", defaultValue = "fp32", description = "Default ${DEFAULT-VALUE}.")
        String precision;

        @Option(names = "--gemm", defaultValue = "1024", description = "Square GEMM size of the reference rate (default ${DEFAULT-VALUE}).")
        int gemm;

        @Option(names = "--warmup", defaultValue = "3", description = "Default ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--repeats", defaultValue = "20", description = "Default ${DEFAULT-VALUE}.")
        int repeats;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            io.descent.bench.Timing.checkRuns(warmup, repeats);
            java.util.List<Integer> widths = new java.util.ArrayList<>();
            for (String w : network.split(",")) {
                try {
                    widths.add(Integer.parseInt(w.trim()));
                } catch (NumberFormatException e) {
                    throw new io.descent.UsageException("--network " + network + ": give widths as numbers, e.g. 784,256,256,10");
                }
            }
            if (widths.size() < 2) throw new io.descent.UsageException("--network " + network + ": give at least inputs and outputs");
            for (int b : batches) if (b < 1) throw new io.descent.UsageException("--batches: " + b + " rows; give at least 1");
            io.descent.bench.NewtonBench.squareSize("--gemm", gemm);
            io.descent.objective.NetworkSpec ns = new io.descent.objective.NetworkSpec(widths.get(0),
                    widths.subList(1, widths.size() - 1), widths.get(widths.size() - 1),
                    io.descent.objective.MlpSpec.Activation.RELU, io.descent.objective.NetworkSpec.Loss.SOFTMAX);
            io.descent.cl.Precision p = io.descent.cl.Precision.parse(precision);
            try (ClRuntime rt = ClRuntime.open(deviceOptions.select())) {
                p.requireSupportedBy(rt.device());
                Map<String, Object> square = new io.descent.bench.CeilingBench(rt, warmup, repeats).gemm(gemm, p);
                Map<String, Object> out = new java.util.LinkedHashMap<>();
                out.put("device", rt.device().name());
                out.put("precision", p.label());
                out.put("network", ns.describe());
                out.put("square_gemm", square);
                out.put("products", new io.descent.bench.LayerBench(rt, warmup, repeats).products(ns, batches, p,
                        (double) square.get("gflops_device")));
                spec.commandLine().getOut().println(Json.write(out));
            }
            return 0;
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
            if (rows < 1 || features < 1) {
                throw new io.descent.UsageException("--rows " + rows + " and --features " + features + ": both must be >= 1");
            }
            io.descent.bench.Timing.checkRuns(warmup, repeats);
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
