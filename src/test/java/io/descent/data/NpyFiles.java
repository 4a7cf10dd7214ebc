package io.descent.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** .npy files written by hand, as np.save writes them, in any of the layouts descent reads. */
public final class NpyFiles {
    private NpyFiles() {
    }

    /**
     * x (rows x cols, row-major values) as float32 or float64 ({@code doubles}), C or Fortran order;
     * {@code oneD} writes shape (rows,) for a single column.
     */
    public static void write(Path file, int rows, int cols, double[] x, boolean doubles, boolean fortran, boolean oneD)
            throws IOException {
        String shape = oneD ? "(" + rows + ",)" : "(" + rows + ", " + cols + ")";
        StringBuilder h = new StringBuilder("{'descr': '" + (doubles ? "<f8" : "<f4") + "', 'fortran_order': "
                + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }");
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        int size = doubles ? 8 : 4;
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + size * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (int a = 0; a < (fortran ? cols : rows); a++) {
            for (int c = 0; c < (fortran ? rows : cols); c++) {
                double v = fortran ? x[c * cols + a] : x[a * cols + c];
                if (doubles) b.putDouble(v);
                else b.putFloat((float) v);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, b.array());
    }

    /** A data set's X and y as X.npy and y.npy in {@code dir}. */
    public static void write(Path dir, Dataset d, boolean xDoubles, boolean fortran, boolean yDoubles) throws IOException {
        write(dir.resolve("X.npy"), d.rows(), d.cols(), d.x(), xDoubles, fortran, false);
        write(dir.resolve("y.npy"), d.rows(), 1, d.y(), yDoubles, false, true);
    }
}
