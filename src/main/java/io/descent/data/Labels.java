package io.descent.data;

import io.descent.UsageException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Class labels read as text (CSV string labels) carried from one data set to another. */
public final class Labels {
    private Labels() {
    }

    /**
     * Refuses text labels that a two-class model cannot take: more or fewer than two, unless the loss is
     * softmax. {@code where} names the data ("data.csv: " or ""), {@code softmax} how to ask for it.
     */
    public static void requireTwoUnlessSoftmax(Dataset d, boolean softmax, String where, String softmaxName) {
        if (d.labels() != null && !softmax && d.labels().size() != 2) {
            throw new io.descent.UsageException(where + "the target '" + d.target() + "' holds " + d.labels().size()
                    + " class labels; logistic regression and the bce loss take two: use " + softmaxName + " for more");
        }
    }

    /** A numeric target value as its label: whole numbers without a decimal point ("2", not "2.0"). */
    public static String text(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * The class of each row of {@code d} in the classes of {@code labels} (the training data's, in
     * class order). {@code d}'s targets are its own text labels' classes, or numbers taken as labels.
     *
     * @param labels null when the training targets were numbers: {@code d} must hold numbers too
     * @throws UsageException a label of {@code d} that is not one of {@code labels}, naming it
     */
    public static Dataset relabel(Dataset d, List<String> labels, String what) {
        if (labels == null) {
            throw new UsageException(what + ": its target '" + d.target() + "' holds text labels " + shown(d.labels())
                    + ", the training data numbers; give both the same kind of labels");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < labels.size(); c++) index.put(labels.get(c), c);
        double[] y = new double[d.rows()];
        for (int i = 0; i < y.length; i++) {
            String label = d.labels() != null ? d.labels().get((int) d.y()[i]) : text(d.y()[i]);
            Integer c = index.get(label);
            if (c == null) {
                throw new UsageException(what + ": row " + (i + 1) + " has the label '" + label + "', which is none of the "
                        + "training data's classes " + shown(labels) + "; drop those rows or train on data that hold it");
            }
            y[i] = c;
        }
        return new Dataset(d.name(), d.rows(), d.cols(), d.x(), y, d.columns(), d.target(), d.mean(), d.scale())
                .withNotes(d.notes()).withLabels(labels);
    }

    static String shown(List<String> labels) {
        if (labels == null) return "(numbers)";
        return labels.size() <= 8 ? labels.toString() : labels.subList(0, 8) + " and " + (labels.size() - 8) + " more";
    }
}
