package io.descent.data;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CsvReaderTest {
    private static final CsvReader.Options DEFAULTS = CsvReader.Options.DEFAULTS;

    @TempDir
    Path dir;

    // ---- reading ----

    @Test
    void roundTripKeepsEveryBitAndTheNames() {
        Generated g = Generators.seed000Regression(300, 4, 5);
        Path file = dir.resolve("regression.csv");
        CsvWriter.write(g.data(), file);
        Dataset back = CsvReader.read(file);
        assertEquals("regression.csv", back.name());
        assertEquals(300, back.rows());
        assertEquals(5, back.cols());
        assertEquals(List.of("const", "x1", "x2", "x3", "x4"), back.columns());
        assertEquals("y", back.target());
        assertArrayEquals(g.data().x(), back.x());
        assertArrayEquals(g.data().y(), back.y());
        assertFalse(back.standardized());
        assertNull(back.mean());
        assertNull(back.scale());
    }

    @Test
    void roundTripQuotesNamesThatNeedIt() {
        Dataset d = new Dataset("odd", 2, 2, new double[]{1, -2.5e-300, 3e300, 4}, new double[]{0.1, -0.0},
                List.of("a,b", "say \"hi\""), " padded ", null, null);
        Path file = dir.resolve("odd.csv");
        CsvWriter.write(d, file);
        Dataset back = CsvReader.read(file);
        assertEquals(List.of("a,b", "say \"hi\""), back.columns());
        assertEquals(" padded ", back.target());
        assertArrayEquals(d.x(), back.x());
        assertArrayEquals(d.y(), back.y());
    }

    @Test
    void targetIsTheLastColumnByDefaultOrTheNamedOne() throws IOException {
        Path file = write("abc.csv", "a,b,c\n1,2,3\n4,5,6\n");
        Dataset last = CsvReader.read(file);
        assertEquals(List.of("a", "b"), last.columns());
        assertEquals("c", last.target());
        assertArrayEquals(new double[]{1, 2, 4, 5}, last.x());
        assertArrayEquals(new double[]{3, 6}, last.y());

        Dataset byName = CsvReader.read(file, DEFAULTS.withTarget("b"));
        assertEquals(List.of("a", "c"), byName.columns());
        assertEquals("b", byName.target());
        assertEquals(2, byName.rows());
        assertEquals(2, byName.cols());
        assertArrayEquals(new double[]{1, 3, 4, 6}, byName.x());
        assertArrayEquals(new double[]{2, 5}, byName.y());

        Dataset first = CsvReader.read(file, DEFAULTS.withTarget("a"));
        assertEquals(List.of("b", "c"), first.columns());
        assertArrayEquals(new double[]{2, 3, 5, 6}, first.x());
        assertArrayEquals(new double[]{1, 4}, first.y());
    }

    @Test
    void acceptsSpacesQuotesCrlfBomAndBlankLines() throws IOException {
        String text = "\uFEFF \"x one\" ,\t\"x,two\", y \r\n"
                + " 1 , \"2\" ,3\r\n"
                + "\r\n"
                + "+1.5,-.5,\t1e3\r\n"
                + "\"-2E-2\" , 0 , \"7\"\r\n"
                + "   \r\n";
        Dataset d = CsvReader.read(write("loose.csv", text));
        assertEquals(List.of("x one", "x,two"), d.columns());
        assertEquals("y", d.target());
        assertEquals(3, d.rows());
        assertArrayEquals(new double[]{1, 2, 1.5, -0.5, -0.02, 0}, d.x());
        assertArrayEquals(new double[]{3, 1000, 7}, d.y());
    }

    @Test
    void acceptsAFileWithoutAFinalNewline() throws IOException {
        Dataset d = CsvReader.read(write("nonl.csv", "a,b\n1,2"));
        assertEquals(1, d.rows());
        assertArrayEquals(new double[]{2}, d.y());
    }

    @Test
    void standardisesFeaturesWithThePopulationStdAndKeepsMeanAndScale() throws IOException {
        Generated g = Generators.twoClass(1000, 3, 11);
        Dataset raw = g.data();
        double[] x = raw.x().clone();
        for (int i = 0; i < raw.rows(); i++) {
            x[i * 3] = 100 + 20 * x[i * 3];       // mean ~100, std ~20
            x[i * 3 + 2] = -0.001 * x[i * 3 + 2]; // tiny scale
        }
        Dataset shifted = new Dataset("s", raw.rows(), 3, x, raw.y(), raw.columns(), "label", null, null);
        Path file = dir.resolve("std.csv");
        CsvWriter.write(shifted, file);

        Dataset d = CsvReader.read(file, DEFAULTS.withStandardize(true).withLogisticLabels(true));
        assertTrue(d.standardized());
        assertEquals(3, d.mean().length);
        assertEquals(3, d.scale().length);
        for (int j = 0; j < 3; j++) {
            double[] before = column(x, 3, j);
            double[] after = column(d.x(), 3, j);
            assertEquals(GeneratorsTest.mean(before), d.mean()[j], 1e-12 * (1 + Math.abs(d.mean()[j])), "mean " + j);
            assertEquals(GeneratorsTest.std(before), d.scale()[j], 1e-12 * d.scale()[j], "scale " + j);
            assertEquals(0, GeneratorsTest.mean(after), 1e-12, "mean after, column " + j);
            assertEquals(1, GeneratorsTest.std(after), 1e-12, "population std after, column " + j);
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], after[i] * d.scale()[j] + d.mean()[j], 1e-12 * (1 + Math.abs(before[i])));
            }
        }
        assertEquals(100, d.mean()[0], 5);
        assertEquals(20, d.scale()[0], 3);
        assertArrayEquals(raw.y(), d.y(), "the target is not standardised");
    }

    @Test
    void aConstantColumnIsFineWithoutStandardising() throws IOException {
        Dataset d = CsvReader.read(write("const.csv", "const,x,y\n1,2,3\n1,5,6\n"));
        assertArrayEquals(new double[]{1, 2, 1, 5}, d.x());
    }

    @Test
    void logisticLabelsAcceptZeroAndOne() throws IOException {
        Dataset d = CsvReader.read(write("labels.csv", "x,label\n0.5,1\n-1,0\n2,1.0\n"),
                DEFAULTS.withLogisticLabels(true));
        assertArrayEquals(new double[]{1, 0, 1}, d.y());
    }

    // ---- every bad input: a one-line UsageException naming the file, the line and the column ----

    @Test
    void raggedRowWithTooFewCells() throws IOException {
        UsageException e = fails("few.csv", "a,b,c\n1,2,3\n4,5\n", DEFAULTS);
        assertMentions(e, "few.csv", "line 3", "column 3 'c'", "2 cells", "3 columns");
    }

    @Test
    void raggedRowWithTooManyCells() throws IOException {
        UsageException e = fails("many.csv", "a,b,c\n1,2,3\n4,5,6,7\n", DEFAULTS);
        assertMentions(e, "many.csv", "line 3", "column 4", "4 cells", "3 columns");
        e = fails("trailing.csv", "a,b\n1,2,\n", DEFAULTS);
        assertMentions(e, "trailing.csv", "line 2", "column 3", "trailing comma");
    }

    @Test
    void nonNumericCell() throws IOException {
        UsageException e = fails("text.csv", "a,b\n1,2\n3,abc\n", DEFAULTS);
        assertMentions(e, "text.csv", "line 3", "column 2 'b'", "\"abc\" is not a number");
        e = fails("javaonly.csv", "a,b\n1d,2\n", DEFAULTS);
        assertMentions(e, "javaonly.csv", "line 2", "column 1 'a'", "\"1d\" is not a number");
        e = fails("hex.csv", "a,b\n1,0x1p3\n", DEFAULTS);
        assertMentions(e, "hex.csv", "line 2", "column 2 'b'", "not a number");
        e = fails("dots.csv", "a,b\n1,2\n1.2.3,4\n", DEFAULTS);
        assertMentions(e, "dots.csv", "line 3", "column 1 'a'", "\"1.2.3\" is not a number");
        e = fails("quoted.csv", "a,b\n1,\"two\"\n", DEFAULTS);
        assertMentions(e, "quoted.csv", "line 2", "column 2 'b'", "\"two\" is not a number");
    }

    @Test
    void emptyCell() throws IOException {
        UsageException e = fails("hole.csv", "a,b,c\n1,,3\n", DEFAULTS);
        assertMentions(e, "hole.csv", "line 2", "column 2 'b'", "empty");
    }

    @Test
    void nanAndInfiniteValues() throws IOException {
        assertMentions(fails("nan.csv", "a,b\n1,2\nNaN,1\n", DEFAULTS),
                "nan.csv", "line 3", "column 1 'a'", "\"NaN\" is not a finite number");
        assertMentions(fails("inf.csv", "a,b\n1,-Infinity\n", DEFAULTS),
                "inf.csv", "line 2", "column 2 'b'", "\"-Infinity\" is not a finite number");
        assertMentions(fails("inf2.csv", "a,b\n1,2\n3,4\ninf,4\n", DEFAULTS),
                "inf2.csv", "line 4", "column 1 'a'", "not a finite number");
        assertMentions(fails("big.csv", "a,b\n1e999,1\n", DEFAULTS),
                "big.csv", "line 2", "column 1 'a'", "\"1e999\"", "overflows");
    }

    @Test
    void emptyFile() throws IOException {
        assertMentions(fails("empty.csv", "", DEFAULTS), "empty.csv", "line 1", "empty", "header");
        assertMentions(fails("blank.csv", "\n\n", DEFAULTS), "blank.csv", "line 1", "blank", "header");
    }

    @Test
    void headerOnly() throws IOException {
        assertMentions(fails("header.csv", "a,b\n", DEFAULTS), "header.csv", "line 2", "no data rows");
        assertMentions(fails("header2.csv", "a,b", DEFAULTS), "header2.csv", "line 2", "no data rows");
        assertMentions(fails("header3.csv", "a,b\n\n \n", DEFAULTS), "header3.csv", "line 2", "no data rows",
                "lines 2 to 3 are blank");
    }

    @Test
    void missingTargetColumnListsTheColumns() throws IOException {
        UsageException e = fails("cols.csv", "a,b,c\n1,2,3\n", DEFAULTS.withTarget("label"));
        assertMentions(e, "cols.csv", "line 1", "no column named 'label'", "'a' (column 1)", "'b' (column 2)",
                "'c' (column 3)");
    }

    @Test
    void duplicateColumnNames() throws IOException {
        UsageException e = fails("dup.csv", "a,b,a\n1,2,3\n", DEFAULTS);
        assertMentions(e, "dup.csv", "line 1", "column 3 'a'", "column 1", "distinct");
    }

    @Test
    void unnamedOrSingleColumn() throws IOException {
        assertMentions(fails("noname.csv", "a,,c\n1,2,3\n", DEFAULTS), "noname.csv", "line 1", "column 2", "no name");
        assertMentions(fails("single.csv", "y\n1\n2\n", DEFAULTS), "single.csv", "line 1", "column 1 'y'",
                "feature column");
    }

    @Test
    void constantColumnWhenStandardisingIsKeptUnscaledWithANote() throws IOException {
        // scikit-learn's StandardScaler: a zero-variance column gets scale 1, so it becomes all zeros
        Dataset d = read("flat.csv", "a,b,c\n1,4,0\n2,4,1\n\n3,4,0\n", DEFAULTS.withStandardize(true));
        assertEquals(4.0, d.mean()[1]);
        assertEquals(1.0, d.scale()[1]);
        for (int i = 0; i < d.rows(); i++) assertEquals(0.0, d.x(i, 1));
        assertEquals(2.0, d.mean()[0]);
        assertEquals(Math.sqrt(2.0 / 3), d.scale()[0], 1e-15);
        assertEquals(1, d.notes().size(), d.notes().toString());
        assertTrue(d.notes().get(0).contains("'b'") && d.notes().get(0).contains("scale 1"), d.notes().get(0));
        Dataset t = read("flat2.csv", "a,b,c\n0.1,1,0\n0.1,2,1\n", DEFAULTS.withStandardize(true).withTarget("b"));
        assertEquals(0.1, t.mean()[0]);
        assertEquals(1.0, t.scale()[0]);
        assertEquals(0.0, t.x(0, 0));
    }

    @Test
    void labelsOtherThanZeroOrOne() throws IOException {
        CsvReader.Options logistic = DEFAULTS.withLogisticLabels(true);
        assertMentions(fails("two.csv", "x,y\n1,0\n2,1\n3,2\n", logistic),
                "two.csv", "line 4", "column 2 'y'", "2 is not a class label", "0 or 1");
        assertMentions(fails("minus.csv", "label,x\n-1,1\n", logistic.withTarget("label")),
                "minus.csv", "line 2", "column 1 'label'", "-1 is not a class label");
        assertMentions(fails("half.csv", "x,y\n1,0.5\n", logistic), "half.csv", "line 2", "column 2 'y'", "0.5");
        assertMentions(fails("oneclass.csv", "x,y\n1,1\n2,1\n", logistic),
                "oneclass.csv", "lines 2 to 3", "column 2 'y'", "is 1", "both classes");
    }

    @Test
    void quotingErrors() throws IOException {
        assertMentions(fails("open.csv", "a,b\n1,\"2\n", DEFAULTS), "open.csv", "line 2", "column 2 'b'",
                "no closing quote");
        assertMentions(fails("after.csv", "a,b\n\"1\"x,2\n", DEFAULTS), "after.csv", "line 2", "column 1 'a'",
                "after the closing quote");
        assertMentions(fails("openhead.csv", "a,\"b\n1,2\n", DEFAULTS), "openhead.csv", "line 1", "column 2",
                "no closing quote");
    }

    @Test
    void notUtf8() throws IOException {
        Path file = dir.resolve("latin1.csv");
        Files.write(file, "caf\u00e9,b\n1,2\n".getBytes(StandardCharsets.ISO_8859_1));
        assertMentions(assertThrows(UsageException.class, () -> CsvReader.read(file)),
                "latin1.csv", "line 1", "not UTF-8");
    }

    @Test
    void missingFileOrDirectory() {
        Path missing = dir.resolve("missing.csv");
        assertMentions(assertThrows(UsageException.class, () -> CsvReader.read(missing)),
                "missing.csv", "cannot read", "does not exist");
        assertMentions(assertThrows(UsageException.class, () -> CsvReader.read(dir)),
                dir.toString(), "cannot read", "directory");
    }

    @Test
    void unreadableFile() throws IOException {
        Path file = write("secret.csv", "a,b\n1,2\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "running as a user who can read anything (root)");
        assertMentions(assertThrows(UsageException.class, () -> CsvReader.read(file)),
                "secret.csv", "cannot read", "permission denied");
    }

    // ---- helpers ----

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private Dataset read(String name, String text, CsvReader.Options options) throws IOException {
        return CsvReader.read(write(name, text), options);
    }

    private UsageException fails(String name, String text, CsvReader.Options options) throws IOException {
        Path file = write(name, text);
        return assertThrows(UsageException.class, () -> CsvReader.read(file, options));
    }

    /** The message is one line, names the file, and holds every fragment. */
    private static void assertMentions(UsageException e, String file, String... fragments) {
        String m = e.getMessage();
        assertEquals(2, e.exitCode());
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains(file), "names the file " + file + ": " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "mentions \"" + f + "\": " + m);
        }
    }

    private static double[] column(double[] x, int cols, int j) {
        double[] c = new double[x.length / cols];
        for (int i = 0; i < c.length; i++) {
            c[i] = x[i * cols + j];
        }
        return c;
    }
}
