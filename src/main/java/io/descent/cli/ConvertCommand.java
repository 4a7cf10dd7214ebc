package io.descent.cli;

import io.descent.data.CsvReader;
import io.descent.data.NpyWriter;
import io.descent.report.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code descent convert}: a CSV into X.npy and y.npy, in one streaming pass (no whole copy in the heap). */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Convert a CSV file into X.npy and y.npy in one streaming pass, for --npy.",
        description = {"Reads the CSV row by row with the same checks and messages as --csv, and writes DIR/X.npy",
                "(rows x features) and DIR/y.npy (the target column), as np.save would. float32 in Fortran order is",
                "the layout a device keeps: with --precision fp32, such a file streams to the device with no",
                "copy or unpacking on the way."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CSV", description = "The CSV file (a header row, then numbers).")
    Path csv;

    @Option(names = "--target", paramLabel = "COLUMN", description = "Target column (default: the last).")
    String target;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory for X.npy and y.npy.")
    Path out;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float64",
            description = "float64 (default: every CSV value exactly) or float32 (half the size).")
    String dtype;

    @Option(names = "--order", paramLabel = "ORDER", defaultValue = "C",
            description = "C (row-major, np.save's default) or F (Fortran order: each column contiguous).")
    String order;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        boolean doubles = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
            case "float64", "f8", "<f8" -> true;
            case "float32", "f4", "<f4" -> false;
            default -> throw new io.descent.UsageException("--dtype " + dtype + ": use float64 or float32");
        };
        boolean fortran = switch (order.toUpperCase(java.util.Locale.ROOT)) {
            case "C" -> false;
            case "F", "FORTRAN" -> true;
            default -> throw new io.descent.UsageException("--order " + order + ": use C (row-major) or F (column-major)");
        };
        try (OutputLock lock = OutputLock.acquire("--out", out, spec.qualifiedName(), spec.commandLine().getErr())) {
            return convert(doubles, fortran, stdout);
        }
    }

    private Integer convert(boolean doubles, boolean fortran, PrintWriter stdout) {
        CsvReader.Options o = CsvReader.Options.DEFAULTS;
        if (target != null) o = o.withTarget(target);
        NpyWriter[] w = new NpyWriter[2];
        String[] names = new String[2];
        long rows;
        try {
            rows = CsvReader.stream(csv, o, new CsvReader.RowSink() {
                @Override
                public void start(List<String> features, String t) {
                    w[0] = new NpyWriter(out.resolve("X.npy"), features.size(), false, doubles, fortran).names(features);
                    w[1] = new NpyWriter(out.resolve("y.npy"), 1, true, doubles, false).names(List.of(t));
                    names[0] = String.join(",", features);
                    names[1] = t;
                }

                @Override
                public void row(double[] features, double y) {
                    w[0].row(features);
                    w[1].row(y);
                }
            });
            // both complete and on disk before either replaces what is there: never X of one CSV and y of another
            AtomicFile.commitAll(List.of(w[0].finish(), w[1].finish()));
        } catch (java.io.IOException e) {
            throw new io.descent.UsageException("cannot replace " + out.resolve("X.npy") + " and y.npy: "
                    + AtomicFile.reason(e));
        } finally {
            for (NpyWriter x : w) if (x != null) x.close(); // deletes what was not committed: a failure replaces nothing
        }
        stdout.println("wrote " + out.resolve("X.npy") + " (" + rows + " x " + names[0].split(",").length + ": "
                + names[0] + ") and " + out.resolve("y.npy") + " (" + names[1] + ")");
        stdout.flush();
        return 0;
    }
}
