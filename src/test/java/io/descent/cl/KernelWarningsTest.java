package io.descent.cl;

import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.TestFunction;
import io.descent.optim.Optimizers;
import io.descent.optim.Problem;
import io.descent.optim.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel file builds without a compiler warning, in both precisions: a warning in a kernel
 * is usually a real mistake (a constant condition, a lossy conversion), and it prints on every run.
 */
class KernelWarningsTest {
    @Test
    void everyKernelFamilyBuildsWithoutWarnings() {
        List<String> warnings = new ArrayList<>();
        for (Precision p : Precision.values()) {
            try (ClRuntime rt = ClRuntime.open(io.descent.TestDevices.device())) {
                try (DeviceDataset lin = new DeviceDataset(rt, Generators.seed000Regression(50, 3, 1).data(), p);
                     DeviceDataset two = new DeviceDataset(rt, Generators.twoClass(50, 3, 1).data(), p);
                     DeviceDataset mlp = new DeviceDataset(rt, Generators.seed000Mlp(50, 4, 1), p);
                     DeviceDataset mlp20 = new DeviceDataset(rt, Generators.seed000Mlp(50, 20, 1), p);
                     DeviceDataset wide = new DeviceDataset(rt, Generators.twoClass(90, 70, 1).data(), p)) {
                    List<io.descent.objective.Objective> objectives = List.of(
                            new LinearRegression(lin, true, 0.1), new LinearRegression(lin, false, 0),
                            new LogisticRegression(two, true, 0.1), new LogisticRegression(wide, true, 0),
                            new Mlp(mlp, MlpSpec.seed000(4, 5, 1, MlpSpec.Activation.TANH)),
                            new Mlp(mlp, new MlpSpec(4, List.of(), MlpSpec.Activation.IDENTITY, MlpSpec.Loss.MSE)),
                            new Mlp(mlp20, MlpSpec.seed000(20, 10, 5, MlpSpec.Activation.IDENTITY)),
                            new Mlp(mlp20, MlpSpec.seed000(20, 10, 3, MlpSpec.Activation.RELU)),
                            new TestFunction(rt, p, "rosenbrock", 4), new TestFunction(rt, p, "xcos", 1));
                    for (io.descent.objective.Objective f : objectives) {
                        for (String name : Optimizers.names()) {
                            if (name.equals("sgd") && !(f instanceof io.descent.objective.Batchable)) continue;
                            try (Problem pr = new Problem(f, f.initialParameters(new java.util.Random(1)));
                                 Optimizer o = Optimizers.parse(name.equals("sgd") ? "sgd:batch=8" : name)) {
                                o.init(pr);
                                pr.beginStep();
                                try {
                                    o.step(pr); // builds every program the method uses
                                } catch (io.descent.DescentException refused) {
                                    // e.g. pure Newton on a singular Hessian: the programs were built first
                                }
                            }
                        }
                        f.close();
                    }
                }
                for (Program prog : rt.programs()) {
                    if (prog.buildLog().toLowerCase(java.util.Locale.ROOT).contains("warning")) {
                        warnings.add("opencl/" + prog.file() + " [" + prog.options() + "]:\n" + prog.buildLog());
                    }
                }
            }
        }
        assertTrue(warnings.isEmpty(), String.join("\n\n", warnings));
    }
}
