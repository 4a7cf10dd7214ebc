package io.descent.data;

import io.descent.UsageException;
import io.descent.report.AtomicFile;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a .npy file (format 1.0; float64 or float32; C or Fortran order) row by row, without
 * knowing the row count in advance. The header is written with room for any count and rewritten,
 * same length, at the end. Fortran order (each column contiguous, the layout a device keeps) goes
 * through one temporary file per column, appended after the header at the end.
 *
 * <p>Everything goes to a temporary file beside the target ({@link AtomicFile}): {@link #commit}
 * completes it and renames it over the target; {@link #close} without it deletes it, so a failed
 * or interrupted write leaves the previous file as it was. {@link #finish} completes the file without
 * renaming it, for several files that must be replaced together.
 */
public final class NpyWriter implements AutoCloseable {
    /** Header bytes, magic to newline: a multiple of 64, room for a 20-digit row count. */
    private static final int HEADER = 128;

    private final Path file;
    private final int cols;
    private final boolean oneD;
    private final boolean doubles;
    private final boolean fortran;
    private final OutputStream[] out;
    private final AtomicFile[] parts;
    private final AtomicFile whole;
    private final ByteBuffer row;
    private List<String> names;
    private long rows;
    private boolean finished;

    /** float64, C order. */
    public NpyWriter(Path file, int cols, boolean oneD) {
        this(file, cols, oneD, true, false);
    }

    /**
     * @param oneD    shape (rows,) for a single column, else (rows, cols)
     * @param doubles float64 ('&lt;f8'), else float32 ('&lt;f4'): a finite value beyond float32's range is refused
     * @param fortran column-major ('fortran_order': True), else row-major
     */
    public NpyWriter(Path file, int cols, boolean oneD, boolean doubles, boolean fortran) {
        this.file = file;
        this.cols = oneD ? 1 : cols;
        this.oneD = oneD;
        this.doubles = doubles;
        this.fortran = fortran && !oneD && cols > 1;
        int streams = this.fortran ? cols : 1;
        this.out = new OutputStream[streams];
        this.parts = new AtomicFile[this.fortran ? cols : 0];
        AtomicFile w = null;
        try {
            w = AtomicFile.open(file);
            if (this.fortran) {
                for (int j = 0; j < cols; j++) {
                    parts[j] = AtomicFile.open(file.resolveSibling(file.getFileName() + ".column" + j));
                    out[j] = new BufferedOutputStream(parts[j].stream(), 1 << 16);
                }
            } else {
                out[0] = new BufferedOutputStream(w.stream(), 1 << 20);
                out[0].write(header(Long.MAX_VALUE / 2)); // a placeholder of the final length
            }
        } catch (IOException e) {
            this.whole = w;
            close();
            throw failure("cannot write", e);
        }
        this.whole = w;
        this.row = ByteBuffer.allocate(8 * Math.max(1, this.cols)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Column names for messages (an overflow of float32 names its column); the default is the column's number. */
    public NpyWriter names(List<String> columnNames) {
        this.names = columnNames;
        return this;
    }

    /** Appends one row of {@code cols} values (or one value for a 1-D array). */
    public void row(double... values) {
        try {
            if (fortran) {
                for (int j = 0; j < cols; j++) {
                    row.clear();
                    put(values[j], j);
                    out[j].write(row.array(), 0, row.position());
                }
            } else {
                row.clear();
                for (int j = 0; j < cols; j++) put(values[j], j);
                out[0].write(row.array(), 0, row.position());
            }
        } catch (IOException e) {
            throw failure("cannot write", e);
        }
        rows++;
    }

    private void put(double v, int column) {
        if (doubles) {
            row.putDouble(v);
            return;
        }
        float f = (float) v;
        if (Float.isInfinite(f) && Double.isFinite(v)) {
            String name = names != null && column < names.size() ? "column '" + names.get(column) + "'"
                    : oneD ? "the target" : "column " + (column + 1);
            throw new UsageException(file.getFileName() + ": " + name + " holds " + v + " in row " + (rows + 1)
                    + ", beyond float32's range (" + Float.MAX_VALUE + "): write float64 (--dtype float64) or scale "
                    + "that column; nothing was replaced");
        }
        row.putFloat(f);
    }

    private byte[] header(long n) {
        String shape = oneD ? "(" + n + ",)" : "(" + n + ", " + cols + ")";
        StringBuilder h = new StringBuilder("{'descr': '" + (doubles ? "<f8" : "<f4") + "', 'fortran_order': "
                + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }");
        while (10 + h.length() + 1 < HEADER) h.append(' ');
        h.append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    public long rows() {
        return rows;
    }

    /**
     * Completes the temporary file (the header's row count; the columns, in Fortran order) and forces
     * it to disk, without replacing the target: {@link AtomicFile#commitAll} does that with its peers.
     */
    public AtomicFile finish() {
        if (finished) return whole;
        try {
            for (OutputStream o : out) o.close();
            FileChannel dst = whole.channel();
            if (fortran) {
                dst.position(0);
                write(dst, ByteBuffer.wrap(header(rows)));
                for (AtomicFile part : parts) {
                    FileChannel src = part.channel();
                    long at = 0, size = src.size();
                    while (at < size) at += src.transferTo(at, size - at, dst);
                }
            } else {
                dst.position(0);
                write(dst, ByteBuffer.wrap(header(rows)));
            }
            whole.sync();
        } catch (IOException e) {
            throw failure("cannot finish", e);
        } finally {
            for (AtomicFile part : parts) part.close();
        }
        finished = true;
        return whole;
    }

    private static void write(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Completes the file and replaces the target with it. */
    public void commit() {
        finish();
        try {
            whole.commit();
        } catch (IOException e) {
            throw failure("cannot finish", e);
        }
    }

    /** Deletes the temporary files unless {@link #commit} (or {@link AtomicFile#commitAll}) replaced the target. */
    @Override
    public void close() {
        for (OutputStream o : out) {
            try {
                if (o != null) o.close();
            } catch (IOException ignored) {
                // discarding; the first error is the one reported
            }
        }
        for (AtomicFile part : parts) if (part != null) part.close();
        if (whole != null) whole.close();
    }

    private UsageException failure(String what, IOException e) {
        return new UsageException(what + " " + file + ": " + AtomicFile.reason(e)
                + (AtomicFile.reason(e).contains("nothing was replaced") ? "" : "; the previous file, if any, is unchanged"));
    }
}
