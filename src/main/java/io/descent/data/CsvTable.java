package io.descent.data;

import io.descent.UsageException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file of numbers with a header row: the rows to predict. Cells are split as {@link CsvReader}
 * splits them; every cell of a column that is used must be a finite number (a column of text, such
 * as the class labels, may be there as long as nothing selects it).
 *
 * @param columns  the header's names
 * @param rows     the data rows
 * @param values   rows x columns, row-major (NaN where a cell is not a number)
 * @param problems per column, null or what is wrong with its first cell that is not a finite number
 */
public record CsvTable(List<String> columns, int rows, double[] values, List<String> problems) {
    /** A table whose every cell is a number. */
    public CsvTable(List<String> columns, int rows, double[] values) {
        this(columns, rows, values, java.util.Collections.nCopies(columns.size(), (String) null));
    }

    /**
     * Reads the file.
     *
     * @throws UsageException no header, a ragged line, or a cell that is not a finite number; the
     *                        message names the file, the line and the column
     */
    public static CsvTable read(Path file) {
        if (!Files.isRegularFile(file)) throw new UsageException(file + ": no such file");
        List<String> header = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        double[] v = new double[1024];
        int n = 0, rows = 0, lineNo = 0;
        List<String> problems = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (CsvLine.isBlankLine(line)) continue;
                List<String> into = header.isEmpty() ? header : cells;
                cells.clear();
                CsvLine.Problem p = CsvLine.split(line, into);
                if (p != null) throw new UsageException(file + ", line " + lineNo + ", column " + (p.column() + 1) + ": " + p.message());
                if (into == header) {
                    for (int c = 0; c < header.size(); c++) problems.add(null);
                    continue;
                }
                if (cells.size() != header.size()) {
                    throw new UsageException(file + ", line " + lineNo + ": " + cells.size() + " values, the header names "
                            + header.size() + " columns; give every row one value per column");
                }
                for (int c = 0; c < cells.size(); c++) {
                    double x;
                    try {
                        x = Double.parseDouble(cells.get(c));
                    } catch (NumberFormatException e) {
                        x = Double.NaN;
                    }
                    if (!Double.isFinite(x) || !cells.get(c).matches("[0-9+\\-.eE]+")) {
                        if (problems.get(c) == null) {
                            problems.set(c, file + ", line " + lineNo + ", column " + (c + 1) + " '" + header.get(c)
                                    + "': '" + cells.get(c) + "' is not a finite number");
                        }
                        x = Double.NaN;
                    }
                    if (n == v.length) v = java.util.Arrays.copyOf(v, v.length * 2);
                    v[n++] = x;
                }
                rows++;
            }
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
        if (header.isEmpty()) throw new UsageException(file + " is empty: it needs a header row and data rows");
        return new CsvTable(header, rows, java.util.Arrays.copyOf(v, n), java.util.Collections.unmodifiableList(problems));
    }

    /**
     * The columns {@code names} in that order: found by name when the header has them all, else every
     * column in file order when there are as many.
     *
     * @throws UsageException neither: the message lists what the file has and what is needed
     */
    public double[] select(List<String> names, String what) {
        int k = names.size();
        int[] at = new int[k];
        boolean byName = true;
        for (int j = 0; j < k; j++) {
            at[j] = columns.indexOf(names.get(j));
            byName &= at[j] >= 0;
        }
        if (!byName) {
            if (columns.size() != k) {
                throw new UsageException(what + " has " + columns.size() + " columns " + columns + "; the model takes " + k
                        + " features " + names + ": give those columns (by name or in order)");
            }
            for (int j = 0; j < k; j++) at[j] = j;
        }
        for (int j = 0; j < k; j++) {
            if (problems.get(at[j]) != null) throw new UsageException(problems.get(at[j]));
        }
        int cols = columns.size();
        double[] out = new double[rows * k];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) out[i * k + j] = values[i * cols + at[j]];
        }
        return out;
    }
}
