package io.descent.cli;

import io.descent.cl.ClRuntime;
import io.descent.model.ModelFile;
import io.descent.model.ModelState;
import io.descent.model.Predictor;
import io.descent.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code descent evaluate}: a saved model's metrics on rows with known targets. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Score a model saved by 'train --save-model' on rows with known targets.",
        description = {"Regression: MSE, RMSE, MAE and R^2. Classification: log-loss, accuracy, AUC (two classes) and the",
                "confusion matrix (rows: true class, columns: predicted). Definitions as scikit-learn's sklearn.metrics."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model file.")
    Path model;

    @Option(names = "--csv", paramLabel = "FILE", description = "Rows and targets: a CSV with a header row.")
    Path csv;

    @Option(names = "--target", paramLabel = "COLUMN", description = "The CSV's target column (default: the model's target).")
    String target;

    @Option(names = "--npy", paramLabel = "X.npy", description = "Rows: a 2-D .npy array.")
    Path npy;

    @Option(names = "--npy-target", paramLabel = "y.npy", description = "Targets of the --npy rows.")
    Path npyTarget;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Mixin
    DeviceOptions deviceOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        ModelState m = ModelFile.read(model);
        ModelInput.Rows rows = ModelInput.labelled(m, csv, target, npy, npyTarget);
        Predictor p = new Predictor(m);
        Map<String, Object> metrics;
        try (ClRuntime rt = ClRuntime.open(deviceOptions.select())) {
            Predictor.Result r = p.predict(rt, rows.x(), rows.rows(), m.inputs(), rows.what());
            metrics = p.evaluate(r, rows.y(), rows.what());
        }
        if (json) {
            stdout.println(Json.write(metrics));
        } else {
            stdout.println(m.kind() + " model " + model + " on " + rows.rows() + " rows of " + rows.what());
            for (Map.Entry<String, Object> e : metrics.entrySet()) {
                if (e.getKey().equals("rows")) continue;
                if (e.getValue() instanceof Map<?, ?> cm) {
                    stdout.println("confusion matrix (rows: true class, columns: predicted), classes " + cm.get("labels") + ":");
                    for (Object row : (List<?>) cm.get("matrix")) stdout.println("  " + row);
                } else {
                    stdout.println(e.getKey() + ": " + (e.getValue() instanceof Double d
                            ? String.format(Locale.ROOT, "%.9g", d) : e.getValue()));
                }
            }
        }
        stdout.flush();
        return 0;
    }
}
