package io.descent.cli;

import io.descent.train.History;
import io.descent.train.Trainer;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line on stderr for runs longer than a second: step, loss, steps per second and ETA.
 * On a terminal the line rewrites itself; otherwise a line every few seconds.
 */
final class Progress implements Trainer.Listener {
    private final PrintWriter err;
    private final String label;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final long firstStep;
    private final boolean enabled;
    private long lastPrint;
    private boolean printed;

    /** A progress display; when {@code enabled} is false (--no-progress, --json) it prints nothing. */
    Progress(PrintWriter err, String label, long firstStep, boolean enabled) {
        this.enabled = enabled;
        this.err = err;
        this.label = label;
        this.terminal = System.console() != null;
        this.firstStep = firstStep;
    }

    @Override
    public void recorded(History.Row row, long totalSteps) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        double elapsed = (now - start) * 1e-9;
        long interval = terminal ? 250_000_000L : 5_000_000_000L;
        if (elapsed < 1 || now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        double rate = (row.step() - firstStep) / elapsed;
        double eta = rate > 0 ? (totalSteps - row.step()) / rate : Double.NaN;
        String line = String.format(Locale.ROOT, "%s step %d/%d (%.0f%%)  loss %.6g  %.1f steps/s  ETA %s", label,
                row.step(), totalSteps, 100.0 * row.step() / Math.max(1, totalSteps), row.loss(), rate, time(eta));
        if (terminal) {
            err.print("\r" + line + "   ");
        } else {
            err.println(line);
        }
        err.flush();
        printed = true;
    }

    /** Ends the progress line (on a terminal) so the next output starts on a fresh line. */
    void done() {
        if (printed && terminal) {
            err.println();
            err.flush();
        }
    }

    static String time(double s) {
        if (Double.isNaN(s)) return "?";
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", s);
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", (long) s / 60, (long) s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", (long) s / 3600, ((long) s % 3600) / 60);
    }
}
