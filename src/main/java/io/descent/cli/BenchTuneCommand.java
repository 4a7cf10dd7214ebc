package io.descent.cli;

import io.descent.bench.TuneBench;
import io.descent.cl.DeviceTuning;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;
import io.descent.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code descent bench tune}: see {@link TuneBench}. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Sweep the tuning keys one kernel family reads (a runtime per candidate), check each "
                + "result against the current tuning, and rank by device time.",
                "Prints JSON; progress and the best DESCENT_TUNING line go to stderr.",
                "Example: descent bench tune --target linear --sweep \"WGS=128,256 GROUPS_PER_CU=4,8\""})
final class BenchTuneCommand implements Callable<Integer> {
    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--target", defaultValue = "linear",
            description = "linear (fused gradient), hessian, mlp, cholesky or gemm (default ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--sweep", description = "Space-separated KEY=V1,V2,... (default: the target's keys around "
            + "the device kind's entry; keys in 'descent devices --json').")
    String sweep;

    @Option(names = "--size", description = "Rows (linear, hessian, mlp) or n (cholesky, gemm); default by device kind.")
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
        TuneBench.Target t = TuneBench.Target.parse(target);
        List<String> candidates = TuneBench.candidates(
                sweep != null ? sweep : TuneBench.defaultSweep(t, device));
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> result = new TuneBench(device, warmup, repeats).run(t,
                Precision.parse(precision), size != null ? size : TuneBench.defaultSize(t, device),
                candidates, rounds, line -> {
                    err.println("tune: " + line);
                    err.flush();
                });
        if (Boolean.TRUE.equals(result.get("beyond_noise"))) {
            err.printf("tune: best %s=\"%s\": %.2fx the current tuning head to head%n",
                    DeviceTuning.ENV, result.get("best"), (double) result.get("best_speedup"));
        } else {
            err.printf("tune: no candidate beat the current tuning beyond the noise (sweep's best: \"%s\", "
                    + "%.2fx head to head); keep the current one%n", result.get("best"), (double) result.get("best_speedup"));
        }
        spec.commandLine().getOut().println(Json.write(result));
        return 0;
    }
}
