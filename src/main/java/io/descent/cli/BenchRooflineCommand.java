package io.descent.cli;

import io.descent.UsageException;
import io.descent.bench.NewtonBench;
import io.descent.bench.RooflineBench;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;
import io.descent.report.Json;
import io.descent.train.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code descent bench roofline}: see {@link RooflineBench}. */
@Command(name = "roofline", mixinStandardHelpOptions = true,
        description = {"The device's ceilings (copy bandwidth, CLBlast GEMM rate) and how close descent comes: "
                + "the fused linear gradient and Hessian against the bandwidth, a Newton step by phase, the "
                + "Cholesky against the GEMM rate, and each MLP scenario's gradient with its launch overhead.",
                "Sizes default to issue 8's on a GPU (100M x 11 rows, GEMM 8192, Cholesky 1024..8192) and to "
                        + "smaller ones on a CPU."})
final class BenchRooflineCommand implements Callable<Integer> {
    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--precision", split = ",", description = "Default: fp32 and, where the device has it, fp64.")
    List<String> precisions;

    @Option(names = "--rows", description = "Rows of the linear regression (default: 100,000,000 on a GPU, "
            + "1,000,000 on a CPU).")
    Integer rows;

    @Option(names = "--gemm", description = "GEMM size n (default: 8192 on a GPU, 1024 on a CPU).")
    Integer gemm;

    @Option(names = "--gemm-sizes", split = ",", description = "Sizes n at which both GEMM engines (descent's gemm.cl "
            + "and CLBlast) are timed (default 1024,2048,4096,8192 on a GPU, 512,1024,2048,4096 on a CPU).")
    int[] gemmSizes;

    @Option(names = "--copy-mib", description = "MiB copied for the bandwidth (default: 1024 on a GPU, 256 on a CPU, "
            + "at most an eighth of the device's memory).")
    Integer copyMib;

    @Option(names = "--cholesky", split = ",", description = "Cholesky sizes (default: 1024,2048,4096,8192 on a GPU, "
            + "256,512,1024 on a CPU).")
    int[] cholesky;

    @Option(names = "--scenarios", split = ",", description = "MLP scenarios (default: mlp-10k, mlp-100k-wide, "
            + "mlp-100k-relu, mlp-100k-linear).")
    List<String> scenarios;

    @Option(names = "--partial", description = "Rewrite this JSON file after each part, so a run stopped early "
            + "keeps what it measured.")
    java.nio.file.Path partial;

    @Option(names = "--warmup", defaultValue = "3", description = "Default ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--repeats", defaultValue = "20", description = "Default ${DEFAULT-VALUE}.")
    int repeats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        io.descent.bench.Timing.checkRuns(warmup, repeats);
        DeviceInfo device = deviceOptions.select();
        List<Precision> ps = precisions == null
                ? (device.fp64() ? List.of(Precision.FP32, Precision.FP64) : List.of(Precision.FP32))
                : precisions.stream().map(Precision::parse).toList();
        for (Precision p : ps) {
            p.requireSupportedBy(device);
        }
        RooflineBench.Plan d = RooflineBench.defaults(device, ps);
        RooflineBench.Plan plan = new RooflineBench.Plan(
                copyMib != null ? positive("--copy-mib", copyMib) * (1L << 20) : d.copyBytes(),
                NewtonBench.squareSize("--gemm", gemm != null ? gemm : d.gemmN()),
                gemmSizes != null ? gemmSizes : d.gemmSizes(),
                rows != null ? positive("--rows", rows) : d.rows(), d.features(), ps,
                cholesky != null ? cholesky : d.choleskySizes(),
                scenarios != null ? scenarios : d.scenarios(), d.maxSeconds());
        for (int n : plan.choleskySizes()) NewtonBench.squareSize("--cholesky", n);
        for (int n : plan.gemmSizes()) NewtonBench.squareSize("--gemm-sizes", n);
        for (String s : plan.scenarios()) {
            if (!s.startsWith("mlp")) {
                throw new UsageException("--scenarios: '" + s + "' is not an MLP scenario (mlp-10k, "
                        + "mlp-100k-wide, mlp-100k-relu, mlp-100k-linear)");
            }
            Scenario.get(s);
        }
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> result;
        try (ClRuntime rt = ClRuntime.open(device)) {
            result = new RooflineBench(rt, warmup, repeats).run(plan, step -> {
                err.println("roofline: " + step);
                err.flush();
            }, partial == null ? r -> { } : r -> io.descent.report.Json.writeAtomically(partial, r));
        }
        spec.commandLine().getOut().println(Json.write(result));
        return 0;
    }

    private static int positive(String option, int v) {
        if (v < 1) {
            throw new UsageException(option + " " + v + ": must be at least 1");
        }
        return v;
    }
}
