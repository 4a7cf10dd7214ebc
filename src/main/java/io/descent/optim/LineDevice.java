package io.descent.optim;

import io.descent.cl.DeviceArray;
import io.descent.cl.Program;
import io.descent.objective.Objective;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;

/**
 * The kernels of {@code opencl/linesearch.cl} bound to one {@link Problem}, and the two small device
 * arrays every line-search method needs: {@link #steps} (the candidate step sizes of one {@link
 * Objective#losses} launch) and {@link #values} (scalars read back together: the candidates' losses
 * in slots [0, m), then a method's extra scalars after them). Every launch runs under {@link
 * Phase#UPDATE} in a wall scope. Owns its arrays.
 */
final class LineDevice implements AutoCloseable {
    /** Slots of {@link #values}: {@link Objective#MAX_STEPS} candidate losses plus this many extra scalars. */
    static final int EXTRA = 64;

    private final Problem problem;
    private final Program program;
    private final PhaseTimer timer;
    private final int n;
    private final int wgs;
    final DeviceArray steps;
    final DeviceArray values;

    LineDevice(Problem problem) {
        this.problem = problem;
        this.program = problem.program("linesearch.cl");
        this.timer = problem.runtime().timer();
        this.n = problem.size();
        this.wgs = problem.runtime().workGroupSize();
        DeviceArray s = problem.runtime().allocate(problem.precision(), Objective.MAX_STEPS);
        try {
            this.values = problem.runtime().allocate(problem.precision(), Objective.MAX_STEPS + EXTRA);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        this.steps = s;
        warm();
    }

    /**
     * Every kernel here, once on empty work at the work-group size it is launched with: a search
     * reaches some of them only on a rarer path (a rejected step, a restart), which a rehearsal of
     * the first steps may not take (see {@link io.descent.train.Run.Rehearsal}).
     */
    private void warm() {
        program.kernel("ls_steps").args(steps, 0, 0, 1.0, values).warm(wgs);
        program.kernel("ls_point_table").args(0, values, steps, steps, 0, 1.0).warm(wgs);
        program.kernel("ls_point").args(0, values, steps, 1.0, values).warm(wgs);
        program.kernel("ls_scale").args(0, 1.0, values, values).warm(wgs);
        program.kernel("ls_diff").args(0, values, steps, values).warm(wgs);
        program.kernel("ls_set").args(values, 0, 0.0).warm(1);
        program.kernel("ls_copy_value").args(values, 0, values, 1).warm(1);
    }

    /** steps[j] = scale * table[from + j] for j < m. */
    void steps(DeviceArray table, int from, int m, double scale) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_steps").args(table, from, m, scale, steps).launch(Phase.UPDATE, m, wgs);
        }
    }

    /** w += (scale * table[index]) d: the same step size {@link #steps} gave candidate index. */
    void pointTable(DeviceArray w, DeviceArray d, DeviceArray table, int index, double scale) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_point_table").args(n, w, d, table, index, scale).launch(Phase.UPDATE, n, wgs);
        }
    }

    /** out = w + t d (out may be w). */
    void point(DeviceArray w, DeviceArray d, double t, DeviceArray out) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_point").args(n, w, d, t, out).launch(Phase.UPDATE, n, wgs);
        }
    }

    /** a[index] = value, by a one-item kernel (no blocking write). */
    void set(DeviceArray a, int index, double value) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_set").args(a, index, value).launch(Phase.UPDATE, 1, 1);
        }
    }

    /** dst[j] = src[i] on the device. */
    void copyValue(DeviceArray src, int i, DeviceArray dst, int j) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_copy_value").args(src, i, dst, j).launch(Phase.UPDATE, 1, 1);
        }
    }

    /** out = a x (out may be x). */
    void scale(double a, DeviceArray x, DeviceArray out) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_scale").args(n, a, x, out).launch(Phase.UPDATE, n, wgs);
        }
    }

    /** out = x - y. */
    void diff(DeviceArray x, DeviceArray y, DeviceArray out) {
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            program.kernel("ls_diff").args(n, x, y, out).launch(Phase.UPDATE, n, wgs);
        }
    }

    /** A kernel of linesearch.cl by name (L-BFGS's two-loop kernels). */
    Program program() {
        return program;
    }

    int size() {
        return n;
    }

    int workGroupSize() {
        return wgs;
    }

    Problem problem() {
        return problem;
    }

    @Override
    public void close() {
        steps.close();
        values.close();
    }
}
