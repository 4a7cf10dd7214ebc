package io.descent.data;

import io.descent.UsageException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a CSV file into a {@link Dataset}.
 *
 * <p>Format: UTF-8 text (a leading byte-order mark is ignored); line 1 is a header of distinct,
 * non-empty column names; every other non-blank line is one row with one number per column,
 * separated by commas. Spaces and tabs around a cell are ignored; a cell may be enclosed in double
 * quotes ({@code ""} inside is one quote). Blank lines (only spaces and tabs) are skipped wherever
 * they are, so a trailing newline or blank last line is fine. Numbers are decimal, as
 * {@link Double#parseDouble} reads them, limited to the characters {@code 0-9 + - . e E}; NaN and
 * infinite values are refused. Line numbers in messages are 1-based and count every line,
 * header and blank lines included.
 *
 * <p>The target is the column named by {@link Options#target()}, or the last column; all other
 * columns, in file order, are the features. With {@link Options#standardize()} each feature column
 * is replaced by {@code (x - mean) / std} with the <em>population</em> standard deviation (divide
 * by n, as scikit-learn's StandardScaler does), and the dataset keeps {@code mean[]} and
 * {@code scale[]} (the std) so coefficients can be mapped back to the original scale; the target is
 * never standardised. With {@link Options#logisticLabels()} every target value must be exactly 0
 * or 1 and both must occur.
 *
 * <p>Every problem with the file is a {@link UsageException} whose one-line message names the file,
 * the line and the column (1-based index and name), and says what to do.
 */
public final class CsvReader {
    /**
     * How to read a file.
     *
     * @param target         name of the target column, or null for the last column
     * @param standardize    standardise the feature columns (population std)
     * @param logisticLabels require every target value to be exactly 0 or 1, both present
     * @param classLabels    the target holds class labels: when any of them is not a number, all are
     *                       read as text and mapped to the classes 0..K-1 in sorted order (as
     *                       scikit-learn's LabelEncoder), the names kept in {@link Dataset#labels()}
     */
    public record Options(String target, boolean standardize, boolean logisticLabels, boolean classLabels) {
        /** Last column is the target, no standardisation, any numeric target. */
        public static final Options DEFAULTS = new Options(null, false, false, false);

        /** These options with the target column named {@code name} (null: the last column). */
        public Options withTarget(String name) {
            return new Options(name, standardize, logisticLabels, classLabels);
        }

        /** These options with standardisation on or off. */
        public Options withStandardize(boolean on) {
            return new Options(target, on, logisticLabels, classLabels);
        }

        /** These options with the 0/1 label check on or off (text labels: exactly two of them). */
        public Options withLogisticLabels(boolean on) {
            return new Options(target, standardize, on, classLabels || on);
        }

        /** These options with the target read as class labels, text allowed. */
        public Options withClassLabels(boolean on) {
            return new Options(target, standardize, logisticLabels, on);
        }
    }

    private static final int BUFFER_CHARS = 1 << 16;

    private final Path file;
    private final String where;
    private final Options options;
    private final List<String> cells = new ArrayList<>();
    private List<String> names;
    private int lineNo;
    /** With class labels: each row's target cell when any is not a number, else null. */
    private List<String> textTargets;
    private int firstDataLine;
    private int lastDataLine;

    private CsvReader(Path file, Options options) {
        this.file = file;
        this.where = file.toString();
        this.options = options;
    }

    /** Receives a CSV file's rows one at a time ({@link #stream}). */
    public interface RowSink {
        /** The feature columns' names and the target's, before the first row. */
        void start(List<String> features, String target);

        /** One data row: its features (reused between calls) and its target. */
        void row(double[] features, double target);
    }

    private RowSink sink;
    private long streamed;

    /**
     * Reads {@code file} row by row into {@code sink}, holding no more than one row: for files larger
     * than the heap. The checks and messages are {@link #read}'s; standardising needs the whole
     * column, so it is not offered here.
     *
     * @return the number of data rows
     */
    public static long stream(Path file, Options options, RowSink sink) {
        Options o = options == null ? Options.DEFAULTS : options;
        if (o.standardize()) {
            throw new IllegalArgumentException("a streamed CSV is not standardised here: standardise when training");
        }
        CsvReader r = new CsvReader(file, o);
        r.sink = sink;
        r.read();
        return r.streamed;
    }

    /** Reads {@code file} with {@link Options#DEFAULTS}. */
    public static Dataset read(Path file) {
        return read(file, Options.DEFAULTS);
    }

    /**
     * Reads {@code file}.
     *
     * @param options how to read it; null means {@link Options#DEFAULTS}
     * @throws UsageException when the file cannot be read or is not a valid numeric CSV table
     */
    public static Dataset read(Path file, Options options) {
        return new CsvReader(file, options == null ? Options.DEFAULTS : options).read();
    }

    private Dataset read() {
        if (Files.isDirectory(file)) {
            throw new UsageException("cannot read data file '" + where + "': it is a directory; give the path of a"
                    + " CSV file");
        }
        try (BufferedReader in = open()) {
            return parse(in);
        } catch (CharacterCodingException e) {
            throw new UsageException(where + ": line " + (lineNo + 1) + ": not UTF-8 text; save the file as UTF-8"
                    + " (or plain ASCII)");
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read data file '" + where + "': it does not exist; check the path");
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot read data file '" + where + "': permission denied; make it readable");
        } catch (IOException e) {
            throw new UsageException("cannot read data file '" + where + "' (line " + (lineNo + 1) + "): "
                    + e.getMessage() + "; check the file");
        }
    }

    private BufferedReader open() throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), BUFFER_CHARS);
    }

    private Dataset parse(BufferedReader in) throws IOException {
        String header = in.readLine();
        if (header != null && !header.isEmpty() && header.charAt(0) == '\uFEFF') {
            header = header.substring(1);
        }
        if (header == null || CsvLine.isBlankLine(header)) {
            throw new UsageException(where + ": line 1: " + (header == null ? "the file is empty" : "the line is blank")
                    + "; line 1 must be a header of column names, then one row of numbers per line");
        }
        lineNo = 1;
        names = header(header);
        int cols = names.size();
        int target = targetColumn();
        targetIndex = target;
        int p = cols - 1;

        Growable x = sink == null ? new Growable(p) : null;
        double[] y = new double[1024];
        double[] one = new double[p];
        boolean zero = false, oneLabel = false;
        int rows = 0;
        if (sink != null) {
            List<String> features = new ArrayList<>(names);
            features.remove(target);
            sink.start(features, names.get(target));
        }
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (CsvLine.isBlankLine(line)) {
                continue;
            }
            split(line);
            if (cells.size() != cols) {
                throw ragged(cols);
            }
            if (sink != null) {
                double t = parseRow(cells, cols, target, lineNo, one, 0);
                zero |= t == 0;
                oneLabel |= t == 1;
                if (rows == 0) firstDataLine = lineNo;
                lastDataLine = lineNo;
                sink.row(one, t);
                rows++;
                streamed++;
                continue;
            }
            x.ensureRow(rows, this);
            if (rows == y.length) {
                y = Arrays.copyOf(y, (int) Math.min(Generators.MAX_ARRAY, 2L * y.length));
            }
            rowIndex = rows;
            y[rows] = parseRow(cells, cols, target, lineNo, x.values, rows * p);
            if (rows == 0) {
                firstDataLine = lineNo;
            }
            lastDataLine = lineNo;
            rows++;
        }
        if (rows == 0) {
            throw new UsageException(where + ": line 2: no data rows after the header on line 1"
                    + (lineNo > 1 ? " (lines 2 to " + lineNo + " are blank)" : "")
                    + "; add rows of numbers, one row per line");
        }
        if (sink != null) {
            if (options.logisticLabels() && !(zero && oneLabel)) {
                throw at(-1, target, "every label on lines " + firstDataLine + " to " + lastDataLine + " is "
                        + (oneLabel ? 1 : 0) + "; logistic regression needs both classes, 0 and 1, in the data");
            }
            return null;
        }
        double[] xs = Arrays.copyOf(x.values, rows * p);
        double[] ys = Arrays.copyOf(y, rows);
        List<String> labels = textTargets == null ? null : classesOfText(ys, target);
        if (options.logisticLabels()) {
            checkBothClasses(ys, target);
        }
        List<String> features = new ArrayList<>(names);
        features.remove(target);
        double[] mean = null;
        double[] scale = null;
        List<String> notes = new ArrayList<>();
        if (options.standardize()) {
            mean = new double[p];
            scale = new double[p];
            standardize(xs, rows, p, target, mean, scale, features, notes);
        }
        String name = file.getFileName() == null ? where : file.getFileName().toString();
        return new Dataset(name, rows, p, xs, ys, features, names.get(target), mean, scale).withNotes(notes)
                .withLabels(labels);
    }

    private List<String> header(String line) {
        split(line);
        List<String> h = new ArrayList<>(cells);
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 0; c < h.size(); c++) {
            String n = h.get(c);
            if (n.isEmpty()) {
                throw new UsageException(where + ": line 1, column " + (c + 1) + ": the column has no name; give"
                        + " every column a name in the header");
            }
            Integer before = seen.putIfAbsent(n, c);
            if (before != null) {
                throw new UsageException(where + ": line 1, column " + (c + 1) + " '" + n + "': the same name as"
                        + " column " + (before + 1) + "; give every column a distinct name");
            }
        }
        if (h.size() < 2) {
            throw new UsageException(where + ": line 1, column 1 '" + h.get(0) + "': the only column; a data set"
                    + " needs a target column and at least one feature column, separated by commas");
        }
        return h;
    }

    private int targetColumn() {
        if (options.target() == null) {
            return names.size() - 1;
        }
        int t = names.indexOf(options.target());
        if (t < 0) {
            StringBuilder list = new StringBuilder();
            for (int c = 0; c < names.size(); c++) {
                list.append(c == 0 ? "" : ", ").append('\'').append(names.get(c)).append("' (column ")
                        .append(c + 1).append(')');
            }
            throw new UsageException(where + ": line 1: no column named '" + options.target() + "' for the target;"
                    + " the columns are " + list + ": name one of them");
        }
        return t;
    }

    private void split(String line) {
        cells.clear();
        CsvLine.Problem problem = CsvLine.split(line, cells);
        if (problem != null) {
            throw at(lineNo, problem.column(), problem.message());
        }
    }

    private UsageException ragged(int cols) {
        int got = cells.size();
        String counts = "the line has " + got + (got == 1 ? " cell" : " cells") + " but the header (line 1) has "
                + cols + " columns";
        if (got < cols) {
            return at(lineNo, got, "missing; " + counts + ". Give every row one value per column, separated by"
                    + " commas");
        }
        return new UsageException(where + ": line " + lineNo + ", column " + (cols + 1) + ": an extra cell; "
                + counts + ". Remove the extra cells (and any trailing comma) or add a column to the header");
    }

    private double number(String cell, int c) {
        if (cell.isEmpty()) {
            throw at(lineNo, c, "the cell is empty; every cell needs a number (fill in or drop rows with missing"
                    + " values)");
        }
        if (!numberCharacters(cell)) {
            String word = cell.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
            if (word.equals("nan") || word.equals("inf") || word.equals("infinity")) {
                throw at(lineNo, c, '"' + cell + "\" is not a finite number; replace or drop rows with missing"
                        + " or infinite values");
            }
            throw notANumber(cell, c);
        }
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw notANumber(cell, c);
        }
        if (Double.isInfinite(v)) {
            throw at(lineNo, c, '"' + cell + "\" is too large for a double (it overflows to infinity); rescale the"
                    + " column");
        }
        return v;
    }

    private UsageException notANumber(String cell, int c) {
        if (c == targetIndex) {
            return at(lineNo, c, '"' + cell + "\" is not a number: a target of text is a class label, which the "
                    + "classifiers read (--objective logistic or softmax, or --loss bce or softmax); a regression needs a "
                    + "numeric target" + (sink != null ? ", and convert writes numbers only: map the labels to 0..K-1 first" : ""));
        }
        return at(lineNo, c, '"' + cell + "\" is not a number; write a decimal number such as 1.5 or -2e-3 (every"
                + " column, features and target, must be numeric)");
    }

    /**
     * With class labels: records the target cell of this row. Until the first cell that is not a
     * number, the cells are numbers and this returns false; from then on every target is kept as text
     * and this returns true (the earlier, numeric ones are written as text when the classes are made).
     */
    private boolean textLabel(String cell, int line) {
        if (textTargets == null) {
            if (isNumber(cell) || cell.isEmpty()) return false;
            textTargets = new ArrayList<>();
            firstTextRow = rowIndex;
        }
        textTargets.add(cell);
        return true;
    }

    private int firstTextRow;
    private int targetIndex = -1;
    private int rowIndex; // the row parseRow is reading (in memory)

    /**
     * Whether every character of {@code cell} can be part of a decimal number (digits, sign, point,
     * exponent): Double.parseDouble alone would also take "NaN", "Infinity", hex and a trailing 'd'.
     */
    private static boolean numberCharacters(String cell) {
        for (int i = 0; i < cell.length(); i++) {
            char ch = cell.charAt(i);
            if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) return false;
        }
        return true;
    }

    private static boolean isNumber(String cell) {
        if (!numberCharacters(cell)) return false;
        try {
            return Double.isFinite(Double.parseDouble(cell));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Maps the text labels to classes 0..K-1 in sorted order, writing each row's class into {@code y},
     * and returns the labels in class order.
     */
    private List<String> classesOfText(double[] y, int target) {
        List<String> text = new ArrayList<>(y.length);
        for (int i = 0; i < firstTextRow; i++) { // numbers before the first text label: labels too
            text.add(Labels.text(y[i]));
        }
        text.addAll(textTargets);
        textTargets = text;
        java.util.TreeSet<String> distinct = new java.util.TreeSet<>(textTargets);
        if (distinct.contains("")) {
            throw at(-1, target, "a label is empty; every row needs its class label (drop rows without one)");
        }
        List<String> labels = new ArrayList<>(distinct);
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < labels.size(); c++) index.put(labels.get(c), c);
        for (int i = 0; i < y.length; i++) y[i] = index.get(textTargets.get(i));
        if (labels.size() < 2) {
            throw at(-1, target, "every label on lines " + firstDataLine + " to " + lastDataLine + " is '" + labels.get(0)
                    + "'; a classifier needs at least two classes in the data");
        }
        if (options.logisticLabels() && labels.size() != 2) {
            throw at(-1, target, "the labels are " + Labels.shown(labels) + ": " + labels.size() + " classes, and logistic "
                    + "regression takes two; use --objective softmax (or --loss softmax) for more");
        }
        return labels;
    }

    private void checkBothClasses(double[] y, int target) {
        double first = y[0];
        for (double v : y) {
            if (v != first) {
                return;
            }
        }
        throw at(-1, target, "every label on lines " + firstDataLine + " to " + lastDataLine + " is "
                + (int) first + "; logistic regression needs both classes, 0 and 1, in the data");
    }

    private void standardize(double[] x, int rows, int p, int target, double[] mean, double[] scale, List<String> names,
                             List<String> notes) {
        Standardization st = Standardization.of(x, rows, p, names);
        for (int j = 0; j < p; j++) {
            int c = j < target ? j : j + 1;
            if (Double.isInfinite(st.scale()[j])) {
                throw at(-1, c, "its standard deviation over lines " + firstDataLine + " to " + lastDataLine
                        + " is " + st.scale()[j] + ", which cannot scale the column; rescale the column before reading it,"
                        + " or read the file without standardising");
            }
        }
        System.arraycopy(st.apply(x), 0, x, 0, x.length);
        System.arraycopy(st.mean(), 0, mean, 0, p);
        System.arraycopy(st.scale(), 0, scale, 0, p);
        notes.addAll(st.notes());
    }

    /**
     * One data line's numbers: the features into {@code into} from {@code offset}, in file order
     * without the target, which is returned (checked to be a label 0/1 for logistic regression).
     */
    private double parseRow(List<String> cells, int cols, int target, int lineNo, double[] into, int offset) {
        double t = 0;
        for (int c = 0, f = offset; c < cols; c++) {
            if (c == target && options.classLabels() && sink == null && textLabel(cells.get(c), lineNo)) {
                continue; // a text label: its class is known once every label has been read
            }
            double v = number(cells.get(c), c);
            if (c == target) {
                if (options.logisticLabels() && v != 0 && v != 1) {
                    throw at(lineNo, c, cells.get(c) + " is not a class label; logistic regression needs every"
                            + " target value to be exactly 0 or 1: recode the target column");
                }
                t = v;
            } else {
                into[f++] = v;
            }
        }
        return t;
    }

    /** A message naming the file, the line (none when {@code line < 0}) and the 0-based column. */
    private UsageException at(int line, int c, String problem) {
        String col = "column " + (c + 1) + (names != null && c < names.size() ? " '" + names.get(c) + "'" : "");
        return new UsageException(where + ": " + (line < 0 ? "" : "line " + line + ", ") + col + ": " + problem);
    }

    /** Row-major feature values that grow by doubling, up to one Java array. */
    private static final class Growable {
        private final int p;
        private double[] values;

        Growable(int p) {
            this.p = p;
            this.values = new double[(int) Math.min((long) p * 1024, Math.max(p, 1 << 16))];
        }

        void ensureRow(int row, CsvReader reader) {
            long need = (long) (row + 1) * p;
            if (need <= values.length) {
                return;
            }
            if (need > Generators.MAX_ARRAY) {
                throw new UsageException(reader.where + ": line " + reader.lineNo + ": more than "
                        + Generators.MAX_ARRAY + " feature values, more than one Java array holds; use fewer rows");
            }
            values = Arrays.copyOf(values, (int) Math.min(Generators.MAX_ARRAY, Math.max(need, 2L * values.length)));
        }
    }
}
