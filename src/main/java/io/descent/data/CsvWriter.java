package io.descent.data;

import io.descent.UsageException;
import io.descent.report.AtomicFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a {@link Dataset} as CSV that {@link CsvReader} reads back exactly: a header of the
 * feature names then the target name ({@code y} when it has none; so the target is the last column, the reader's default),
 * then one line per row. Numbers are written with {@link Double#toString}, which round-trips every
 * finite double. Names holding a comma, a quote or surrounding spaces are quoted. Values are written
 * as the data set holds them: standardised data is written standardised.
 */
public final class CsvWriter {
    private CsvWriter() {
    }

    /**
     * Writes {@code data} to {@code file}, replacing it.
     *
     * @throws UsageException when the file cannot be written
     */
    public static void write(Dataset data, Path file) {
        int p = data.cols();
        double[] x = data.x();
        double[] y = data.y();
        try (AtomicFile f = AtomicFile.open(file, false);
             BufferedWriter out = new BufferedWriter(new java.io.OutputStreamWriter(f.stream(), StandardCharsets.UTF_8), 1 << 16)) {
            StringBuilder line = new StringBuilder(32 * (p + 1));
            for (String name : data.columns()) {
                line.append(quote(name)).append(',');
            }
            line.append(quote(data.target() == null ? "y" : data.target())).append('\n');
            out.append(line);
            for (int i = 0; i < data.rows(); i++) {
                line.setLength(0);
                int base = i * p;
                for (int j = 0; j < p; j++) {
                    line.append(x[base + j]).append(',');
                }
                line.append(y[i]).append('\n');
                out.append(line);
            }
            out.flush();
            f.commit();
        } catch (IOException e) {
            throw new UsageException("cannot write data file '" + file + "': " + AtomicFile.reason(e)
                    + "; check that the directory exists and is writable");
        }
    }

    static String quote(String name) {
        boolean plain = !name.isEmpty() && name.indexOf(',') < 0 && name.indexOf('"') < 0
                && name.strip().equals(name);
        return plain ? name : '"' + name.replace("\"", "\"\"") + '"';
    }
}
