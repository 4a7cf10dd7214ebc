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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code descent predict}: a saved model's predictions for new rows. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Predict new rows with a model saved by 'train --save-model'.",
        description = {"Writes one line per input row, in the input's order: a 'prediction' column (the value, or the",
                "class label), then 'probability' (two classes: of the second class) or 'p_<label>' per class.",
                "The model applies its training data's scaling itself: give rows on their original scale. CSV",
                "columns are matched to the model's features by name, else taken in order."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model file.")
    Path model;

    @Option(names = "--csv", paramLabel = "FILE", description = "Rows to predict: a CSV with a header row.")
    Path csv;

    @Option(names = "--npy", paramLabel = "X.npy", description = "Rows to predict: a 2-D .npy array.")
    Path npy;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions here (CSV) instead of standard output.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object (columns and rows) instead of CSV.")
    boolean json;

    @Mixin
    DeviceOptions deviceOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        OutputPaths.file("--out", out);
        ModelState m = ModelFile.read(model);
        ModelInput.Rows rows = ModelInput.features(m, csv, npy);
        Predictor p = new Predictor(m);
        Predictor.Result r;
        try (ClRuntime rt = ClRuntime.open(deviceOptions.select())) {
            r = p.predict(rt, rows.x(), rows.rows(), m.inputs(), rows.what());
        }
        List<String> columns = columns(m);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("rows", r.rows());
            o.put("columns", columns);
            List<Object> lines = new ArrayList<>();
            for (int i = 0; i < r.rows(); i++) lines.add(row(m, r, i, false));
            o.put("predictions", lines);
            String text = Json.write(o) + "\n";
            if (out != null) TrainCommand.writeFile(out, text); else stdout.print(text);
        } else {
            StringBuilder b = new StringBuilder(String.join(",", columns)).append('\n');
            for (int i = 0; i < r.rows(); i++) {
                List<Object> cells = row(m, r, i, true);
                for (int c = 0; c < cells.size(); c++) b.append(c == 0 ? "" : ",").append(cells.get(c));
                b.append('\n');
            }
            if (out != null) TrainCommand.writeFile(out, b.toString()); else stdout.print(b);
        }
        if (out != null) stdout.println("wrote " + r.rows() + " predictions to " + out);
        stdout.flush();
        return 0;
    }

    static List<String> columns(ModelState m) {
        List<String> c = new ArrayList<>();
        c.add("prediction");
        if (m.labels().size() == 2) c.add("probability");
        else for (String l : m.labels()) c.add("p_" + l);
        return c;
    }

    private static List<Object> row(ModelState m, Predictor.Result r, int i, boolean csvText) {
        List<Object> cells = new ArrayList<>();
        if (!m.classifier()) {
            cells.add(r.predictions()[i]);
            return cells;
        }
        String label = m.labels().get(r.predictedClass(i));
        cells.add(csvText && (label.contains(",") || label.contains("\"")) ? '"' + label.replace("\"", "\"\"") + '"' : label);
        int k = r.classes();
        if (k == 2) cells.add(r.probabilities()[i * 2 + 1]);
        else for (int c = 0; c < k; c++) cells.add(r.probabilities()[i * k + c]);
        return cells;
    }
}
