package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.objective.Batchable;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Mini-batch SGD on seed 001's line (100 rows): epochs, seeds and resuming. */
class MiniBatchTest {
    @Test
    void everyRowExactlyOncePerEpochInANewOrder() {
        ClRuntime rt = TestDevices.runtime();
        int size = 16; // 100 rows: six batches of 16 and one of 4
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Sgd sgd = (Sgd) Optimizers.parse("sgd:lr=0.01,batch=" + size + ",seed=11")) {
            sgd.init(p);
            Batchable data = (Batchable) f.objective;
            int n = data.rows();
            MiniBatches mb = sgd.miniBatches();
            assertEquals(7, mb.batchesPerEpoch());
            int[][] orders = new int[3][];
            for (int epoch = 0; epoch < 3; epoch++) {
                int[] seen = new int[n];
                int[] order = new int[n];
                int filled = 0;
                for (int b = 0; b < 7; b++) {
                    assertEquals(epoch, sgd.stateScalars().get("epoch"), 0.0);
                    assertEquals(b, sgd.stateScalars().get("batch_index"), 0.0);
                    p.beginStep();
                    sgd.step(p);
                    p.advance();
                    int count = mb.lastCount();
                    assertEquals(b < 6 ? 16 : 4, count, "rows in batch " + b);
                    assertEquals(count, data.batchRows(), "the objective evaluates the batch's rows");
                    int[] rows = Arrays.copyOf(mb.rows().read(), count); // what the device used
                    for (int r : rows) {
                        seen[r]++;
                        order[filled++] = r;
                    }
                }
                assertEquals(n, filled);
                for (int r = 0; r < n; r++) {
                    assertEquals(1, seen[r], "row " + r + " in epoch " + epoch);
                }
                assertArrayEquals(MiniBatches.order(11, epoch, n, 16), order, "epoch " + epoch + "'s order");
                int[] shuffled = MiniBatches.permutation(11, epoch, n);
                for (int b = 0; b < 7; b++) {
                    int from = 16 * b, to = Math.min(n, from + 16);
                    int[] set = Arrays.copyOfRange(shuffled, from, to);
                    Arrays.sort(set);
                    assertArrayEquals(set, Arrays.copyOfRange(order, from, to), "batch " + b + ": the shuffle's rows, ascending");
                }
                orders[epoch] = order;
            }
            assertFalse(Arrays.equals(orders[0], orders[1]), "a new order each epoch");
            assertFalse(Arrays.equals(orders[1], orders[2]), "a new order each epoch");
            int[] identity = new int[n];
            Arrays.setAll(identity, i -> i);
            assertFalse(Arrays.equals(identity, orders[0]), "shuffled");
        }
    }

    private static double[] train(String spec, int steps) {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse(spec)) {
            o.init(p);
            for (int i = 0; i < steps; i++) {
                p.beginStep();
                o.step(p);
                p.advance();
            }
            return p.readParams();
        }
    }

    @Test
    void sameSeedSameParametersOtherSeedOthers() {
        double[] a = train("sgd:lr=0.01,batch=8,seed=42", 40);
        double[] b = train("sgd:lr=0.01,batch=8,seed=42", 40);
        double[] c = train("sgd:lr=0.01,batch=8,seed=43", 40);
        assertArrayEquals(a, b, 0.0, "two runs with seed 42 are bit-identical");
        assertFalse(Arrays.equals(a, c), "seed 43 visits rows in another order: " + Arrays.toString(a) + " vs "
                + Arrays.toString(c));
    }

    /** Runs {@code steps} steps in one go, and again with a checkpoint after {@code cut}; same bits. */
    private static void resumesBitIdentically(String spec, String schedule, int cut, int steps) {
        ClRuntime rt = TestDevices.runtime();
        double[] straight;
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse(spec).withSchedule(Schedule.parse(schedule))) {
            o.init(p);
            for (int i = 0; i < steps; i++) {
                p.beginStep();
                o.step(p);
                p.advance();
            }
            straight = p.readParams();
        }
        double[] params;
        Map<String, double[]> arrays = new LinkedHashMap<>();
        Map<String, Double> scalars;
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse(spec).withSchedule(Schedule.parse(schedule))) {
            o.init(p);
            for (int i = 0; i < cut; i++) {
                p.beginStep();
                o.step(p);
                p.advance();
            }
            params = p.readParams();
            o.stateArrays().forEach((k, v) -> arrays.put(k, v.read()));
            scalars = o.stateScalars();
        }
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, params);
             Optimizer o = Optimizers.parse(spec).withSchedule(Schedule.parse(schedule))) {
            o.init(p);
            for (Map.Entry<String, DeviceArray> e : o.stateArrays().entrySet()) e.getValue().write(arrays.get(e.getKey()));
            o.restoreScalars(scalars);
            p.setStep(cut);
            for (int i = cut; i < steps; i++) {
                p.beginStep();
                o.step(p);
                p.advance();
            }
            assertArrayEquals(straight, p.readParams(), 0.0, spec + ": resumed after " + cut + " of " + steps + " steps");
        }
    }

    @Test
    void aCheckpointResumesBitIdentically() {
        // 100 rows in batches of 16: step 13 is mid-epoch (epoch 1, batch 6), step 14 an epoch start
        resumesBitIdentically("sgd:lr=0.01,batch=16,seed=5", "constant", 13, 30);
        resumesBitIdentically("nesterov:lr=0.01,momentum=0.5,batch=16,seed=5", "step:every=7,factor=0.5", 13, 30);
        resumesBitIdentically("adam:lr=0.1,batch=16,seed=5", "cosine:steps=30,min=0", 14, 30);
    }

    @Test
    void scalarsNameTheRngPosition() {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse("sgd:batch=30")) {
            o.init(p);
            for (int i = 0; i < 9; i++) {
                p.beginStep();
                o.step(p);
                p.advance();
            }
            // 100 rows in batches of 30: 4 per epoch, so 9 batches = 2 epochs and 1 batch
            assertEquals(Map.of("updates", 9.0, "epoch", 2.0, "batch_index", 1.0), o.stateScalars());
            assertEquals(30, ((Batchable) f.objective).batchRows(), "the last step used the first batch of epoch 2");
        }
    }
}
