package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Network;
import io.descent.objective.NetworkSpec;
import io.descent.objective.Objective;
import io.descent.report.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Where the fused network kernel (mlp.cl, a row per work-item) stops beating layers as matrix
 * products (Network): the full-batch loss and gradient of the seeds' family of networks, 20 inputs,
 * two tanh hidden layers of width w, one output, MSE, on seed 000's rows, for both kinds on the same
 * data in the same run. Per gradient in steady state: the time of 3k calls less that of k, over 2k
 * (launch and wait costs of a batch cancel). Prints one JSON object: the device, the cases, and the
 * largest width up to which the fused kernel is faster at every width measured (the MLP_FUSED_MAX
 * the measurement supports).
 *
 * <p>Usage: {@code FusedSwitchBench [ROWS] [REPEATS] [WIDTHS]} (10000, 7, 8,16,24,32,48,64).
 */
public final class FusedSwitchBench {
    private FusedSwitchBench() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        String widthList = args.length > 2 ? args[2] : "8,16,24,32,48,64";
        List<Integer> widths = new ArrayList<>();
        for (String w : widthList.split(",")) widths.add(Integer.parseInt(w.trim()));
        Map<String, Object> out = new LinkedHashMap<>();
        try (ClRuntime rt = ClRuntime.open(Devices.select(null))) {
            out.put("device", rt.device().summary());
            out.put("tuning", rt.deviceTuning().entryName());
            out.put("rows", rows);
            out.put("repeats", repeats);
            List<Object> cases = new ArrayList<>();
            Map<String, Integer> switchAt = new LinkedHashMap<>();
            for (Precision p : new Precision[]{Precision.FP32, Precision.FP64}) {
                if (p == Precision.FP64 && !rt.device().fp64()) continue;
                Dataset data = Generators.seed000Mlp(rows, 20, 0);
                int fusedUpTo = 0;
                boolean lost = false;
                try (DeviceDataset d = new DeviceDataset(rt, data, p)) {
                    for (int w : widths) {
                        MlpSpec spec = new MlpSpec(20, List.of(w, w), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);
                        Stats fused, layered;
                        try (Mlp m = new Mlp(d, spec, Mlp.Curvature.EXACT)) {
                            fused = perCall(rt, m, repeats);
                        }
                        try (Network m = new Network(d, NetworkSpec.of(spec), Mlp.Curvature.EXACT, null,
                                Network.DEFAULT_BLOCK_BYTES)) {
                            layered = perCall(rt, m, repeats);
                        }
                        Map<String, Object> c = new LinkedHashMap<>();
                        c.put("precision", p.label());
                        c.put("width", w);
                        c.put("parameters", spec.parameterCount());
                        c.put("fused_s", fused.toJson());
                        c.put("layered_s", layered.toJson());
                        c.put("layered_over_fused", layered.median() / fused.median());
                        cases.add(c);
                        System.err.printf("%s width %3d: fused %.3f ms, layers %.3f ms, layers/fused %.2f%n", p.label(), w,
                                1e3 * fused.median(), 1e3 * layered.median(), layered.median() / fused.median());
                        if (!lost && fused.median() < layered.median()) fusedUpTo = w; else lost = true;
                    }
                }
                switchAt.put(p.label(), fusedUpTo);
            }
            out.put("cases", cases);
            out.put("fused_faster_up_to_width", switchAt);
        }
        System.out.println(Json.write(out));
    }

    /** Seconds per loss-and-gradient call in steady state: (time of 3k calls - time of k) / 2k, k = 4. */
    private static Stats perCall(ClRuntime rt, Objective m, int repeats) {
        Precision p = m.precision();
        int k = 4;
        try (DeviceArray w = rt.upload(p, m.initialParameters(new Random(0)));
             DeviceArray g = rt.allocate(p, m.parameterCount());
             DeviceArray loss = rt.allocate(p, 1)) {
            Runnable one = () -> m.lossAndGradient(w, g, loss, 0);
            for (int i = 0; i < 2; i++) one.run(); // warm-up: builds, first launches
            rt.finish();
            return Timing.steady(rt, k, 3 * k, repeats, one);
        }
    }
}
