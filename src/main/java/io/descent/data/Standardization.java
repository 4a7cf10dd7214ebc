package io.descent.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Standardisation as scikit-learn's {@code StandardScaler}: each feature column becomes (x - mean) /
 * scale, with the mean and the population standard deviation (ddof = 0) of the rows it is learned
 * on. A constant column keeps scale 1 (it becomes all zeros) and gets a note, where dividing by a
 * standard deviation of 0 would fail.
 *
 * @param mean  per column
 * @param scale per column, 1 for a constant column
 * @param notes one line per constant column
 */
public record Standardization(double[] mean, double[] scale, List<String> notes) {
    /**
     * Learns the statistics of row-major {@code x} (rows x cols).
     *
     * @param names the columns' names, for the notes
     */
    public static Standardization of(double[] x, int rows, int cols, List<String> names) {
        double[] mean = new double[cols], scale = new double[cols];
        List<String> notes = new ArrayList<>();
        for (int j = 0; j < cols; j++) {
            double sum = 0, min = x[j], max = x[j];
            for (int i = j; i < x.length; i += cols) {
                sum += x[i];
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            double m = sum / rows;
            double ss = 0;
            for (int i = j; i < x.length; i += cols) {
                double d = x[i] - m;
                ss += d * d;
            }
            double s = Math.sqrt(ss / rows);
            mean[j] = min == max ? min : m;
            if (min == max || !(s > 0)) {
                scale[j] = 1;
                notes.add(constantNote(names.get(j), min));
            } else {
                scale[j] = s;
            }
        }
        return new Standardization(mean, scale, List.copyOf(notes));
    }

    /** The note for a column whose every value is {@code value}. */
    public static String constantNote(String column, double value) {
        return "column '" + column + "' is constant (every row " + value + "): standardised to 0 and kept unscaled "
                + "(scale 1), as scikit-learn's StandardScaler does; it cannot inform the model";
    }

    /** (x - mean) / scale of row-major x, into a new array. */
    public double[] apply(double[] x) {
        int cols = mean.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int j = i % cols;
            out[i] = (x[i] - mean[j]) / scale[j];
        }
        return out;
    }
}
