package io.descent.data;

import io.descent.UsageException;
import io.descent.cl.Precision;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Features and targets from numpy {@code .npy} files (what {@code np.save} writes: format 1.0 to
 * 3.0, little-endian float32 or float64, C or Fortran order), memory-mapped: rows go from the
 * mapping into the streaming objective's staging buffers, so a file larger than the heap trains.
 * X is 2-D (rows, cols); y is 1-D (rows,) or (rows, 1). Standardisation statistics come from one
 * streaming pass (Welford's update, population standard deviation as scikit-learn's
 * StandardScaler and the CSV reader use).
 */
public final class NpySource implements RowSource {
    /** Mapped segments are at most this long (a multiple of 8, so no value straddles two). */
    static final long SEGMENT = 1L << 30;

    /** One mapped array. */
    private static final class Array {
        final Path file;
        final boolean doubles;
        final boolean fortran;
        final long[] shape;
        final long data;
        final MappedByteBuffer[] segments;

        Array(Path file, boolean doubles, boolean fortran, long[] shape, long data, MappedByteBuffer[] segments) {
            this.file = file;
            this.doubles = doubles;
            this.fortran = fortran;
            this.shape = shape;
            this.data = data;
            this.segments = segments;
        }

        /** Elements [e, e + n) in storage order as direct slices of the mapping, placed from byte {@code at}. */
        void slices(long e, long n, long at, List<RowSource.Raw.Piece> out) {
            int size = doubles ? 8 : 4;
            long off = e * size, end = (e + n) * size;
            while (off < end) {
                int seg = (int) (off / SEGMENT);
                int in = (int) (off % SEGMENT);
                int len = (int) Math.min(end - off, SEGMENT - in);
                out.add(new RowSource.Raw.Piece(segments[seg].slice(in, len), at));
                at += len;
                off += len;
            }
        }

        /** Element e (in storage order). */
        double get(long e) {
            long off = e * (doubles ? 8 : 4);
            MappedByteBuffer s = segments[(int) (off / SEGMENT)];
            int at = (int) (off % SEGMENT);
            return doubles ? s.getDouble(at) : s.getFloat(at);
        }
    }

    private final Array x;
    private final Array y;
    private final int rows;
    private final int cols;
    private final double[] mean;
    private final double[] scale;
    private final DeviceDataset.Info info;
    /** Largest |value| of each column, then of the target (null when standardised: those values are small). */
    private double[] largest;

    /** The targets of every row, in order (a pass over the target file only). */
    public double[] targets() {
        double[] t = new double[rows];
        for (int i = 0; i < rows; i++) t[i] = y.get(i);
        return t;
    }

    private NpySource(Array x, Array y, int rows, int cols, double[] mean, double[] scale) {
        this.x = x;
        this.y = y;
        this.rows = rows;
        this.cols = cols;
        this.mean = mean;
        this.scale = scale;
        List<String> names = new ArrayList<>();
        for (int j = 1; j <= cols; j++) names.add("x" + j);
        this.info = new DeviceDataset.Info(x.file.getFileName().toString(), names, y.file.getFileName().toString(), mean,
                scale);
    }

    /**
     * The values of a 1-D or 2-D .npy file, row-major, for prediction and evaluation.
     *
     * @param shape receives rows and columns (1 for a 1-D array)
     * @throws UsageException a missing or malformed file, or a value that is not finite (naming its row)
     */
    public static double[] values(Path file, int[] shape) {
        Array a = map(file);
        if (a.shape.length < 1 || a.shape.length > 2 || a.shape[0] > Integer.MAX_VALUE
                || (a.shape.length == 2 && a.shape[0] * a.shape[1] > Integer.MAX_VALUE - 8)) {
            throw new UsageException(file + ": shape " + java.util.Arrays.toString(a.shape) + " is not (rows,) or (rows, columns)");
        }
        int rows = (int) a.shape[0], cols = a.shape.length == 2 ? (int) a.shape[1] : 1;
        double[] v = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double x = a.get(a.fortran ? (long) j * rows + i : (long) i * cols + j);
                if (!Double.isFinite(x)) {
                    throw new UsageException(file + ": row " + i + ", column " + (j + 1) + " is " + x
                            + "; every value must be a finite number");
                }
                v[i * cols + j] = x;
            }
        }
        shape[0] = rows;
        shape[1] = cols;
        return v;
    }

    /**
     * Maps {@code xFile} and {@code yFile}.
     *
     * @param standardize standardise each feature column (one pass over the file)
     * @param labels      the targets must be 0/1 labels (logistic regression): checked in one pass
     * @throws UsageException a missing or malformed file, a dtype or shape descent cannot use, a
     *                        non-finite value; the message names the file and, for values, the row
     */
    public static NpySource open(Path xFile, Path yFile, boolean standardize, boolean labels) {
        if (yFile == null) {
            throw new UsageException("--npy " + xFile + " needs --npy-target Y.npy with the targets");
        }
        Array x = map(xFile);
        Array y = map(yFile);
        if (x.shape.length != 2) {
            throw new UsageException(xFile + ": features must be a 2-D array (rows, columns), its shape is "
                    + java.util.Arrays.toString(x.shape));
        }
        long n = x.shape[0];
        boolean yOk = (y.shape.length == 1 && y.shape[0] == n) || (y.shape.length == 2 && y.shape[0] == n && y.shape[1] == 1);
        if (!yOk) {
            throw new UsageException(yFile + ": targets must have shape (" + n + ",) or (" + n + ", 1) to match " + xFile
                    + "'s " + n + " rows, not " + java.util.Arrays.toString(y.shape));
        }
        if (n < 1 || x.shape[1] < 1 || n > Integer.MAX_VALUE || x.shape[1] > Integer.MAX_VALUE) {
            throw new UsageException(xFile + ": shape " + java.util.Arrays.toString(x.shape) + " is not (1..2^31 rows, "
                    + "1..2^31 columns)");
        }
        int rows = (int) n, cols = (int) x.shape[1];
        NpySource plain = new NpySource(x, y, rows, cols, null, null);
        double[] mean = new double[cols], m2 = new double[cols], scale = new double[cols];
        plain.largest = standardize ? null : new double[cols + 1];
        plain.scan(labels, standardize ? mean : null, m2); // one pass: checks, and Welford's statistics
        if (!standardize) {
            return plain;
        }
        for (int j = 0; j < cols; j++) {
            scale[j] = Math.sqrt(m2[j] / rows);
            if (scale[j] == 0) {
                scale[j] = 1; // a constant column: kept unscaled, as scikit-learn's StandardScaler does
            } else if (!(scale[j] > 0) || Double.isInfinite(scale[j])) {
                throw new UsageException(xFile + ": column " + (j + 1) + " has standard deviation " + scale[j]
                        + ", so it cannot be standardised; drop the column or train without --standardize");
            }
        }
        return new NpySource(x, y, rows, cols, mean, scale);
    }

    /**
     * One pass over the rows: every value finite, labels 0/1 of both classes when {@code labels}, and,
     * when {@code mean} is given, each column's mean and sum of squared deviations (Welford's update).
     */
    private void scan(boolean labels, double[] mean, double[] m2) {
        double[] row = new double[cols];
        boolean zero = false, one = false;
        for (int i = 0; i < rows; i++) {
            row(i, row);
            for (int j = 0; j < cols; j++) {
                if (!Double.isFinite(row[j])) {
                    throw new UsageException(x.file + ": row " + i + ", column " + (j + 1) + " is " + row[j]
                            + "; descent trains on finite values only");
                }
            }
            if (largest != null) {
                for (int j = 0; j < cols; j++) largest[j] = Math.max(largest[j], Math.abs(row[j]));
                largest[cols] = Math.max(largest[cols], Math.abs(y.get(i)));
            }
            if (mean != null) {
                for (int j = 0; j < cols; j++) {
                    double d = row[j] - mean[j];
                    mean[j] += d / (i + 1);
                    m2[j] += d * (row[j] - mean[j]);
                }
            }
            double t = y.get(i);
            if (!Double.isFinite(t)) {
                throw new UsageException(y.file + ": the target of row " + i + " is " + t);
            }
            if (labels) {
                if (t != 0 && t != 1) {
                    throw new UsageException(y.file + ": logistic regression needs labels 0 or 1, row " + i + " has " + t
                            + ": recode the targets to 0/1");
                }
                zero |= t == 0;
                one |= t == 1;
            }
        }
        if (labels && !(zero && one)) {
            throw new UsageException(y.file + ": every label is " + (one ? 1 : 0) + "; logistic regression needs both classes");
        }
    }

    /** Every value fits float32, or a user error naming the first column that does not (see {@link Float32Range}). */
    public void requireFloat32() {
        if (largest == null) return;
        for (int j = 0; j <= cols; j++) {
            if (Float32Range.beyond(largest[j])) {
                throw Float32Range.refuse(j < cols ? x.file.toString() : y.file.toString(),
                        j < cols ? "column " + (j + 1) : "the target", largest[j] * Math.signum(largest[j]), firstRow(j));
            }
        }
    }

    private long firstRow(int j) {
        double[] row = new double[cols];
        for (int i = 0; i < rows; i++) {
            double v;
            if (j < cols) {
                row(i, row);
                v = row[j];
            } else {
                v = y.get(i);
            }
            if (Float32Range.beyond(v)) return i;
        }
        return -1;
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private static Array map(Path file) {
        String pending = io.descent.report.AtomicFile.pending(file);
        if (pending != null) throw new UsageException(file + ": " + pending);
        if (Files.isDirectory(file)) {
            throw new UsageException(file + ": is a directory; give the .npy file in it (e.g. " + file.resolve("X.npy") + ")");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new UsageException(file + ": not a regular file (a pipe or a device); .npy files are memory-mapped: save "
                    + "the array to a file first");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException(file + ": no such file (an .npy written by np.save or descent convert)");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(head, 0);
            byte[] h = head.array();
            if (!(h[0] == (byte) 0x93 && h[1] == 'N' && h[2] == 'U' && h[3] == 'M' && h[4] == 'P' && h[5] == 'Y')) {
                throw new UsageException(file + ": not an .npy file (no \\x93NUMPY magic); write it with np.save");
            }
            int major = h[6];
            long headerLen;
            int headerStart;
            if (major == 1) {
                headerLen = head.getShort(8) & 0xffff;
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                headerLen = head.getInt(8) & 0xffffffffL;
                headerStart = 12;
            } else {
                throw new UsageException(file + ": .npy format version " + major + " is not 1, 2 or 3");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, headerStart);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) {
                throw new UsageException(file + ": the .npy header lacks descr, fortran_order or shape: " + header.strip());
            }
            String descr = d.group(1);
            boolean doubles;
            if (descr.equals("<f8")) doubles = true;
            else if (descr.equals("<f4")) doubles = false;
            else {
                throw new UsageException(file + ": dtype '" + descr + "' is not little-endian float32 or float64 ('<f4', "
                        + "'<f8'); convert with x.astype(np.float64) before np.save");
            }
            List<Long> dims = new ArrayList<>();
            for (String part : s.group(1).split(",")) {
                if (!part.isBlank()) dims.add(Long.parseLong(part.trim()));
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            String again = "; write the file again (np.save, or descent convert, which writes whole files only)";
            long count = 1;
            long bytes;
            try {
                for (long v : shape) {
                    if (v < 0) {
                        throw new UsageException(file + ": its header gives a negative size " + v + " in shape "
                                + java.util.Arrays.toString(shape) + ": the header is damaged" + again);
                    }
                    count = Math.multiplyExact(count, v);
                }
                bytes = Math.multiplyExact(count, doubles ? 8L : 4L);
            } catch (ArithmeticException e) {
                throw new UsageException(file + ": its header gives shape " + java.util.Arrays.toString(shape) + ", larger "
                        + "than any file: the header is damaged, or the file was never finished" + again);
            }
            long data = headerStart + headerLen;
            if (ch.size() < data) {
                throw new UsageException(file + ": the file (" + ch.size() + " bytes) ends inside its own header: it was "
                        + "cut short" + again);
            }
            if (ch.size() - data < bytes) {
                throw new UsageException(file + ": incomplete: its header says shape " + java.util.Arrays.toString(shape)
                        + " of " + descr + ", " + bytes + " bytes of data, but the file holds " + (ch.size() - data)
                        + ": it was cut short (a write that was stopped or ran out of space)" + again);
            }
            int nseg = (int) Math.max(1, (bytes + SEGMENT - 1) / SEGMENT);
            MappedByteBuffer[] segs = new MappedByteBuffer[nseg];
            for (int i = 0; i < nseg; i++) {
                long from = data + i * SEGMENT;
                long len = Math.min(SEGMENT, bytes - i * SEGMENT);
                segs[i] = ch.map(FileChannel.MapMode.READ_ONLY, from, Math.max(0, len));
                segs[i].order(ByteOrder.LITTLE_ENDIAN);
            }
            return new Array(file, doubles, f.group(1).equals("True"), shape, data, segs);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read it (" + io.descent.report.AtomicFile.reason(e)
                    + "): check that it exists, is readable and is an .npy file");
        } catch (NumberFormatException e) {
            throw new UsageException(file + ": a shape in its header is not a number: " + e.getMessage());
        }
    }

    /** Row i's raw features. */
    private void row(long i, double[] out) {
        for (int j = 0; j < cols; j++) out[j] = x.get(x.fortran ? (long) j * rows + i : i * cols + j);
    }

    private double feature(long i, int j) {
        double v = x.get(x.fortran ? (long) j * rows + i : i * cols + j);
        return mean == null ? v : (v - mean[j]) / scale[j];
    }

    @Override
    public DeviceDataset.Info info() {
        return info;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public Raw raw(long from, int count) {
        List<Raw.Piece> xs = new ArrayList<>();
        if (x.fortran) {
            int size = x.doubles ? 8 : 4;
            for (int j = 0; j < cols; j++) x.slices((long) j * rows + from, count, (long) j * count * size, xs);
        } else {
            x.slices(from * cols, (long) count * cols, 0, xs);
        }
        List<Raw.Piece> ys = new ArrayList<>();
        y.slices(from, count, 0, ys);
        return new Raw(x.doubles, !x.fortran, xs, y.doubles, ys, mean, scale);
    }

    @Override
    public void fill(long from, int count, int stride, Precision precision, ByteBuffer dx, ByteBuffer dy) {
        if (x.fortran) {
            for (int j = 0; j < cols; j++) { // each column is contiguous in the file
                for (int i = 0; i < count; i++) DatasetSource.put(dx, (long) j * stride + i, feature(from + i, j), precision);
            }
        } else {
            for (int i = 0; i < count; i++) { // row by row through the mapping, scattered into columns
                for (int j = 0; j < cols; j++) DatasetSource.put(dx, (long) j * stride + i, feature(from + i, j), precision);
            }
        }
        for (int i = 0; i < count; i++) DatasetSource.put(dy, i, y.get(from + i), precision);
    }

    @Override
    public void gather(int[] r, int count, int stride, Precision precision, ByteBuffer dx, ByteBuffer dy) {
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < cols; j++) DatasetSource.put(dx, (long) j * stride + i, feature(r[i], j), precision);
            DatasetSource.put(dy, i, y.get(r[i]), precision);
        }
    }
}
