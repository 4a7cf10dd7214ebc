package io.descent.cli;

import io.descent.UsageException;
import io.descent.data.CsvReader;
import io.descent.data.CsvTable;
import io.descent.data.Dataset;
import io.descent.data.NpySource;
import io.descent.model.ModelState;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rows of {@code descent predict} and {@code evaluate}: a CSV (columns matched by name, else in order) or .npy files. */
final class ModelInput {
    /** Row-major features in the model's column order, and the targets (null without). */
    record Rows(String what, int rows, double[] x, double[] y) {
    }

    private ModelInput() {
    }

    static Rows features(ModelState m, Path csv, Path npy) {
        if ((csv == null) == (npy == null)) throw new UsageException("give the rows as --csv FILE or --npy X.npy (one of them)");
        if (csv != null) {
            CsvTable t = CsvTable.read(csv);
            return new Rows("file " + csv, t.rows(), t.select(m.features(), "file " + csv), null);
        }
        int[] shape = new int[2];
        double[] x = NpySource.values(npy, shape);
        if (shape[1] != m.inputs()) {
            throw new UsageException(npy + " has " + shape[1] + " columns; the model takes " + m.inputs() + " features "
                    + m.features());
        }
        return new Rows("file " + npy, shape[0], x, null);
    }

    static Rows labelled(ModelState m, Path csv, String target, Path npy, Path npyTarget) {
        if ((csv == null) == (npy == null)) {
            throw new UsageException("give the rows as --csv FILE --target COLUMN or --npy X.npy --npy-target y.npy");
        }
        if (csv != null) {
            String t = target != null ? target : m.target();
            Dataset d = CsvReader.read(csv, CsvReader.Options.DEFAULTS.withTarget(t).withClassLabels(m.classifier()));
            double[] y = m.targets(d, "file " + csv);
            List<String> names = new ArrayList<>(d.columns());
            CsvTable table = new CsvTable(names, d.rows(), d.x());
            return new Rows("file " + csv, d.rows(), table.select(m.features(), "file " + csv + " (less its target '" + t + "')"),
                    y);
        }
        if (npyTarget == null) throw new UsageException("--npy " + npy + " needs --npy-target y.npy with the targets");
        Rows r = features(m, null, npy);
        int[] shape = new int[2];
        double[] y = NpySource.values(npyTarget, shape);
        if (shape[1] != 1 || shape[0] != r.rows()) {
            throw new UsageException(npyTarget + ": targets must have shape (" + r.rows() + ",) to match " + npy + ", not ("
                    + shape[0] + ", " + shape[1] + ")");
        }
        return new Rows(r.what(), r.rows(), r.x(), y);
    }
}
