package io.descent.data;

/**
 * A generated data set and the parameters it was generated from, in the order a linear model on
 * it numbers its parameters: see each generator in {@link Generators} for what the entries are.
 *
 * @param data         the data set
 * @param trueWeights  the generating parameters (not copied; do not modify)
 */
public record Generated(Dataset data, double[] trueWeights) {
}
