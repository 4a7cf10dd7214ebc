package io.descent.objective;

import io.descent.UsageException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The shape of a fully connected network with one output: {@code dimIn} inputs, hidden layers of
 * the given widths (any count, zero included), each followed by {@code activation}, and a linear
 * output layer of width 1; {@code loss} says how the output is compared with the target.
 *
 * <p><b>Parameter layout</b> (one flat vector of {@link #parameterCount()} values): for each layer
 * l = 0..L-1 in order (L = hidden count + 1), mapping n_l inputs to n_(l+1) outputs, first the weight
 * matrix W_l, n_(l+1) x n_l row-major ({@code W_l[o, i]} at {@code weightOffset(l) + o * n_l + i}, the
 * layout of PyTorch's {@code Linear.weight}), then the bias b_l (n_(l+1) values at
 * {@code biasOffset(l)}). So the vector equals {@code torch.cat([t.flatten() for t in
 * model.parameters()])} of the equivalent {@code torch.nn.Sequential}.
 */
public record MlpSpec(int dimIn, List<Integer> hidden, Activation activation, Loss loss) {

    /** Activation after every hidden layer (the output layer is linear). */
    public enum Activation {
        IDENTITY, RELU, TANH, SIGMOID;

        /** Kernel code (MLP_ACT). */
        int code() {
            return ordinal();
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Per-row loss of the output z against the target y; f is the mean over rows. */
    public enum Loss {
        /** (z - y)^2: regression, PyTorch's {@code MSELoss(reduction='mean')}. */
        MSE,
        /** log(1 + e^z) - y z = BCE of sigmoid(z) against y in [0, 1] ({@code BCEWithLogitsLoss}). */
        BCE;

        int code() {
            return ordinal();
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MlpSpec {
        if (dimIn < 1) {
            throw new UsageException("network input dimension " + dimIn + ": it must be at least 1");
        }
        hidden = List.copyOf(hidden);
        for (int h : hidden) {
            if (h < 1) {
                throw new UsageException("hidden layer width " + h + " in " + hidden + ": every width must be at least 1");
            }
        }
        if (activation == null || loss == null) {
            throw new IllegalArgumentException("activation and loss are required");
        }
    }

    /**
     * Seed 000's network: {@code Sequential(Linear(dimIn, hidden), *[Linear(hidden, hidden) for _ in
     * range(nLayers)], Linear(hidden, 1))}, so nLayers + 1 hidden layers of width {@code hidden}, each
     * followed by {@code activation} (the seed's first runs have none: IDENTITY), MSE loss. E.g.
     * seed000(20, 10, 5, IDENTITY) has 771 parameters.
     */
    public static MlpSpec seed000(int dimIn, int hidden, int nLayers, Activation activation) {
        if (nLayers < 0) {
            throw new UsageException("n_layers " + nLayers + ": it must be at least 0");
        }
        return new MlpSpec(dimIn, Collections.nCopies(nLayers + 1, hidden), activation, Loss.MSE);
    }

    /** Number of layers L (weight matrices): hidden layers + the output layer. */
    public int layers() {
        return hidden.size() + 1;
    }

    /** Width n_l: n_0 = dimIn, n_1..n_(L-1) the hidden widths, n_L = 1. */
    public int width(int l) {
        if (l == 0) return dimIn;
        if (l == layers()) return 1;
        return hidden.get(l - 1);
    }

    /** Offset of W_l in the flat vector. */
    public int weightOffset(int l) {
        int off = 0;
        for (int j = 0; j < l; j++) off += (width(j) + 1) * width(j + 1);
        return off;
    }

    /** Offset of b_l in the flat vector. */
    public int biasOffset(int l) {
        return weightOffset(l) + width(l) * width(l + 1);
    }

    /** p = sum over layers of (n_l + 1) n_(l+1). */
    public int parameterCount() {
        return weightOffset(layers());
    }

    public int maxWidth() {
        int m = 1;
        for (int l = 0; l <= layers(); l++) m = Math.max(m, width(l));
        return m;
    }

    /** n_0 + ... + n_(L-1): values of every layer's input for one row. */
    public int sumIn() {
        int s = 0;
        for (int l = 0; l < layers(); l++) s += width(l);
        return s;
    }

    /** n_1 + ... + n_L: values of every layer's output for one row. */
    public int sumOut() {
        int s = 0;
        for (int l = 1; l <= layers(); l++) s += width(l);
        return s;
    }

    /**
     * Seeded starting parameters. Layer by layer in the layout's order, W_l first (row-major) then b_l,
     * every value one {@code random.nextDouble()} mapped to U(-a, a):
     * W_l: a = sqrt(6 / (n_l + n_(l+1))) (Glorot/Xavier uniform, gain 1) for identity, tanh and sigmoid,
     * a = sqrt(6 / n_l) (He/Kaiming uniform) for ReLU; b_l: a = 1 / sqrt(n_l) (PyTorch's Linear default).
     * The output layer (linear) uses the Glorot bound whatever the activation.
     */
    public double[] initialParameters(Random random) {
        double[] w = new double[parameterCount()];
        int k = 0;
        for (int l = 0; l < layers(); l++) {
            int nin = width(l), nout = width(l + 1);
            boolean he = activation == Activation.RELU && l + 1 < layers();
            double a = he ? Math.sqrt(6.0 / nin) : Math.sqrt(6.0 / (nin + nout));
            for (int e = 0; e < nin * nout; e++) w[k++] = (2 * random.nextDouble() - 1) * a;
            double ab = 1 / Math.sqrt(nin);
            for (int o = 0; o < nout; o++) w[k++] = (2 * random.nextDouble() - 1) * ab;
        }
        return w;
    }

    /** E.g. "20-10x6-1 identity mse" (widths, hidden runs of equal width as WxK). */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(Integer.toString(dimIn));
        int i = 0;
        while (i < hidden.size()) {
            int j = i;
            while (j < hidden.size() && hidden.get(j).equals(hidden.get(i))) j++;
            parts.add(j - i > 1 ? hidden.get(i) + "x" + (j - i) : Integer.toString(hidden.get(i)));
            i = j;
        }
        parts.add("1");
        return String.join("-", parts) + " " + activation.label() + " " + loss.label();
    }
}
