package io.descent.spark;

import io.descent.data.Dataset;
import io.descent.train.Experiment;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A generated data set (a scenario's rows) made on the executors from its seed: each partition
 * generates its own slice, so a task carries a few numbers rather than the rows (linear-1m's rows
 * were a 59 MB task). Each slice runs the generator over all rows and keeps its own, so the rows
 * are exactly those of one host's run; the cost is the generator's time and memory for the whole
 * data in each task, which suits the scenarios' sizes.
 */
record GeneratedRows(String generator, int rows, int features, long seed) implements Serializable {
    static GeneratedRows of(Experiment e) {
        return new GeneratedRows(e.generator, e.rows, e.features, e.seed);
    }

    /** Rows [rows i / parts, rows (i + 1) / parts): features, then the target. */
    List<Row> slice(int i, int parts) {
        Experiment e = new Experiment();
        e.generator = generator;
        e.rows = rows;
        e.features = features;
        e.seed = seed;
        Dataset d = e.dataset();
        int from = (int) ((long) rows * i / parts), to = (int) ((long) rows * (i + 1) / parts);
        int k = d.cols();
        List<Row> out = new ArrayList<>(to - from);
        for (int r = from; r < to; r++) {
            Object[] v = new Object[k + 1];
            for (int j = 0; j < k; j++) v[j] = d.x(r, j);
            v[k] = d.y()[r];
            out.add(RowFactory.create(v));
        }
        return out;
    }
}
