package io.descent.data;

import io.descent.UsageException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a .npy file (format 1.0; float64 or float32; C or Fortran order) row by row, without
 * knowing the row count in advance. The header is written with room for any count and rewritten,
 * same length, at the end. Fortran order (each column contiguous, the layout a device keeps) goes
 * through one temporary file per column, appended after the header at the end.
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
    private final Path[] parts;
    private final ByteBuffer row;
    private long rows;

    /** float64, C order. */
    public NpyWriter(Path file, int cols, boolean oneD) {
        this(file, cols, oneD, true, false);
    }

    /**
     * @param oneD    shape (rows,) for a single column, else (rows, cols)
     * @param doubles float64 ('&lt;f8'), else float32 ('&lt;f4')
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
        this.parts = new Path[streams];
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (this.fortran) {
                for (int j = 0; j < cols; j++) {
                    parts[j] = file.resolveSibling("." + file.getFileName() + ".column" + j + ".tmp");
                    out[j] = new BufferedOutputStream(Files.newOutputStream(parts[j]), 1 << 16);
                }
            } else {
                out[0] = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
                out[0].write(header(Long.MAX_VALUE / 2)); // a placeholder of the final length
            }
        } catch (IOException e) {
            closeQuietly();
            throw new UsageException("cannot write " + file + ": " + e.getMessage());
        }
        this.row = ByteBuffer.allocate(8 * Math.max(1, this.cols)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Appends one row of {@code cols} values (or one value for a 1-D array). */
    public void row(double... values) {
        try {
            if (fortran) {
                for (int j = 0; j < cols; j++) {
                    row.clear();
                    put(values[j]);
                    out[j].write(row.array(), 0, row.position());
                }
            } else {
                row.clear();
                for (int j = 0; j < cols; j++) put(values[j]);
                out[0].write(row.array(), 0, row.position());
            }
        } catch (IOException e) {
            throw new UsageException("cannot write " + file + ": " + e.getMessage());
        }
        rows++;
    }

    private void put(double v) {
        if (doubles) row.putDouble(v);
        else row.putFloat((float) v);
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

    @Override
    public void close() {
        try {
            for (OutputStream o : out) if (o != null) o.close();
            if (fortran) {
                try (FileChannel dst = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    dst.write(ByteBuffer.wrap(header(rows)));
                    for (Path part : parts) {
                        try (FileChannel src = FileChannel.open(part, StandardOpenOption.READ)) {
                            long at = 0, size = src.size();
                            while (at < size) at += src.transferTo(at, size - at, dst);
                        }
                    }
                }
            } else {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    f.write(header(rows));
                }
            }
        } catch (IOException e) {
            throw new UsageException("cannot finish " + file + ": " + e.getMessage());
        } finally {
            deleteParts();
        }
    }

    private void closeQuietly() {
        for (OutputStream o : out) {
            try {
                if (o != null) o.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one reported
            }
        }
        deleteParts();
    }

    private void deleteParts() {
        for (Path p : parts) {
            try {
                if (p != null) Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }
}
