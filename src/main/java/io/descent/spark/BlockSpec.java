package io.descent.spark;

import io.descent.cl.Precision;
import io.descent.train.Experiment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What an executor needs to build its partitions' objective, sent with every task: the model (as
 * the experiment's fields give it), the precision, the column names and, when the driver
 * standardised, the columns' means and scales.
 */
record BlockSpec(String datasetId, String objective, boolean intercept, double alpha, ArrayList<Integer> layers,
                 String activation, String loss, String curvature, long deviceMemory, Precision precision,
                 ArrayList<String> columns, String target, double[] mean, double[] scale) implements Serializable {

    static BlockSpec of(String datasetId, Experiment e, Precision precision, List<String> columns, String target,
                        double[] mean, double[] scale) {
        return new BlockSpec(datasetId, e.objective, e.intercept, e.alpha, new ArrayList<>(e.layers), e.activation, e.loss,
                e.curvature, e.deviceMemory, precision, new ArrayList<>(columns), target, mean, scale);
    }

    /** An experiment with this spec's model fields, whose {@link Experiment#model} builds a partition's objective. */
    Experiment experiment() {
        Experiment e = new Experiment();
        e.objective = objective;
        e.intercept = intercept;
        e.alpha = alpha;
        e.layers = new ArrayList<>(layers);
        e.activation = activation;
        e.loss = loss;
        e.curvature = curvature;
        e.deviceMemory = deviceMemory;
        return e;
    }

    boolean standardized() {
        return mean != null;
    }

    boolean logistic() {
        return objective.equalsIgnoreCase("logistic");
    }
}
