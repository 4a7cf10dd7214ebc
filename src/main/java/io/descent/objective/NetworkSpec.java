package io.descent.objective;

import io.descent.UsageException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The shape of a fully connected network with K outputs, computed as layers ({@link Network}):
 * {@code dimIn} inputs, hidden layers of the given widths (zero included), each followed by
 * {@code activation}, and a linear output layer of width {@code outputs}; {@code loss} compares the
 * outputs with the targets. The parameter layout is {@link MlpSpec}'s (per layer W row-major n_out x
 * n_in, then b), so a one-output network has exactly the vector of the same {@code MlpSpec}.
 */
public record NetworkSpec(int dimIn, List<Integer> hidden, int outputs, MlpSpec.Activation activation, Loss loss) {

    /** Per-row loss of the K outputs (see opencl/losses.cl); f is the mean over rows. */
    public enum Loss {
        /** sum_k (z_k - t_k)^2: regression, K = 1 is {@link MlpSpec.Loss#MSE}. */
        MSE,
        /** sum_k BCE of sigmoid(z_k) against t_k in [0, 1] (binary, or multi-label). */
        BCE,
        /** Cross-entropy of softmax(z) against the class y in 0..K-1 ({@code CrossEntropyLoss}). */
        SOFTMAX;

        int code() {
            return ordinal();
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** "mse", "bce" or "softmax" (also "cross-entropy"), else a usage error naming the choices. */
        public static Loss parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.equals("cross-entropy") || n.equals("ce")) return SOFTMAX;
            for (Loss l : values()) {
                if (l.label().equals(n)) return l;
            }
            throw new UsageException("loss '" + name + "': use mse, bce or softmax");
        }
    }

    public NetworkSpec {
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
        if (outputs < 1 || (loss == Loss.SOFTMAX && outputs < 2)) {
            throw new UsageException("network with " + outputs + " outputs and " + loss.label()
                    + " loss: it needs at least " + (loss == Loss.SOFTMAX ? "2 (classes)" : "1"));
        }
        long p = 0;
        for (int l = 0; l <= hidden.size(); l++) {
            int nin = l == 0 ? dimIn : hidden.get(l - 1), nout = l == hidden.size() ? outputs : hidden.get(l);
            p += ((long) nin + 1) * nout;
        }
        if (p > Integer.MAX_VALUE - 8) {
            throw new UsageException("network with " + p + " parameters: at most " + (Integer.MAX_VALUE - 8)
                    + " fit one parameter vector; use narrower layers");
        }
    }

    /** The same network as a one-output {@link MlpSpec} (K = 1, MSE or BCE). */
    public static NetworkSpec of(MlpSpec m) {
        return new NetworkSpec(m.dimIn(), m.hidden(), 1, m.activation(),
                m.loss() == MlpSpec.Loss.BCE ? Loss.BCE : Loss.MSE);
    }

    /** The fused kernel's spec of this network, or null where it has none (K > 1, softmax). */
    public MlpSpec asMlp() {
        if (outputs != 1 || loss == Loss.SOFTMAX) return null;
        return new MlpSpec(dimIn, hidden, activation, loss == Loss.BCE ? MlpSpec.Loss.BCE : MlpSpec.Loss.MSE);
    }

    public int layers() {
        return hidden.size() + 1;
    }

    /** Width n_l: n_0 = dimIn, hidden widths, n_L = outputs. */
    public int width(int l) {
        if (l == 0) return dimIn;
        if (l == layers()) return outputs;
        return hidden.get(l - 1);
    }

    public int weightOffset(int l) {
        int off = 0;
        for (int j = 0; j < l; j++) off += (width(j) + 1) * width(j + 1);
        return off;
    }

    public int biasOffset(int l) {
        return weightOffset(l) + width(l) * width(l + 1);
    }

    public int parameterCount() {
        return weightOffset(layers());
    }

    /** 1 for each weight of the parameter vector, 0 for each bias: what an L2 penalty on the weights covers. */
    public double[] weightMask() {
        double[] m = new double[parameterCount()];
        for (int l = 0; l < layers(); l++) {
            java.util.Arrays.fill(m, weightOffset(l), biasOffset(l), 1.0);
        }
        return m;
    }

    public int maxWidth() {
        int m = 1;
        for (int l = 0; l <= layers(); l++) m = Math.max(m, width(l));
        return m;
    }

    /** n_0 + ... + n_L: every layer's values for one row. */
    public long sumWidths() {
        long s = 0;
        for (int l = 0; l <= layers(); l++) s += width(l);
        return s;
    }

    /** Multiply-adds of one row's forward pass: sum_l n_l n_(l+1). */
    public long macsPerRow() {
        long s = 0;
        for (int l = 0; l < layers(); l++) s += (long) width(l) * width(l + 1);
        return s;
    }

    /**
     * Seeded starting parameters, drawn as {@link MlpSpec#initialParameters} draws them (Glorot, or He
     * for ReLU hidden layers; PyTorch's bias bound 1/sqrt(n_in)), so K = 1 gives the same vector.
     */
    public double[] initialParameters(Random random) {
        double[] w = new double[parameterCount()];
        int k = 0;
        for (int l = 0; l < layers(); l++) {
            int nin = width(l), nout = width(l + 1);
            boolean he = activation == MlpSpec.Activation.RELU && l + 1 < layers();
            double a = he ? Math.sqrt(6.0 / nin) : Math.sqrt(6.0 / (nin + nout));
            for (int e = 0; e < nin * nout; e++) w[k++] = (2 * random.nextDouble() - 1) * a;
            double ab = 1 / Math.sqrt(nin);
            for (int o = 0; o < nout; o++) w[k++] = (2 * random.nextDouble() - 1) * ab;
        }
        return w;
    }

    /** E.g. "784-256x2-10 relu softmax". */
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
        parts.add(Integer.toString(outputs));
        return String.join("-", parts) + " " + activation.label() + " " + loss.label();
    }
}
