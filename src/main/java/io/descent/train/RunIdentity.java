package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.Precision;
import io.descent.data.Dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What made a checkpoint or a trial: the objective, its parameter count, the precision, the data's
 * source and seed, and a hash of the data's first block (the first MiB of a CSV or .npy file, the
 * first rows of generated data). A file read back is used only where its identity equals this run's:
 * {@link #require} names the first field that differs.
 */
public final class RunIdentity {
    /** Bytes of a data file, or doubles of generated data, that the hash covers. */
    static final int BLOCK = 1 << 20;

    private RunIdentity() {
    }

    /** The identity of {@code e} as built in {@code setup}. */
    public static Map<String, Object> of(Experiment e, Setup setup, Precision precision) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", setup.objective().name());
        m.put("parameters", (long) setup.objective().parameterCount());
        m.put("precision", precision.label());
        m.put("data", source(e));
        m.put("seed", e.seed);
        m.put("data_hash", hash(e, setup.hostData()));
        return m;
    }

    /** Where the data come from, in a few words (file names, not folders: a moved file is the same data). */
    public static String source(Experiment e) {
        if (e.objective.startsWith("function:")) return "none (" + e.objective + ")";
        if (e.external != null) return "external";
        if (e.npy != null) {
            return "npy " + e.npy.getFileName() + (e.npyTarget == null ? "" : " " + e.npyTarget.getFileName());
        }
        if (e.csv != null) return "csv " + e.csv.getFileName() + (e.target == null ? "" : " target " + e.target)
                + (e.standardize ? " standardized" : "");
        return "generated " + e.generator + " " + e.rows + "x" + e.features;
    }

    static String hash(Experiment e, Dataset host) {
        MessageDigest md = sha256();
        if (e.npy != null) {
            block(md, e.npy);
            if (e.npyTarget != null) block(md, e.npyTarget);
        } else if (e.csv != null) {
            block(md, e.csv);
        } else if (host != null) {
            double[] x = host.x(), y = host.y();
            int nx = Math.min(x.length, BLOCK / 8), ny = Math.min(y.length, BLOCK / 8);
            ByteBuffer b = ByteBuffer.allocate(8 * (nx + ny)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < nx; i++) b.putDouble(x[i]);
            for (int i = 0; i < ny; i++) b.putDouble(y[i]);
            md.update(b.array());
        } else {
            return "none";
        }
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    private static void block(MessageDigest md, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            md.update(in.readNBytes(BLOCK));
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + " to check it against the checkpoint: " + e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refuses (exit 2) a stored identity that differs from this run's, naming the field, both values and
     * {@code fix}.
     *
     * @param what   e.g. "checkpoint ck.json"
     * @param stored the identity read back (numbers as doubles)
     */
    public static void require(String what, Object stored, Map<String, Object> current, String fix) {
        if (!(stored instanceof Map<?, ?> s)) {
            throw new UsageException(what + ": field 'identity' is missing, so what made it cannot be checked (it was "
                    + "not written by descent train, or is damaged): " + fix);
        }
        for (Map.Entry<String, Object> f : current.entrySet()) {
            Object had = s.get(f.getKey());
            if (!same(had, f.getValue())) {
                throw new UsageException(what + " was made with " + f.getKey() + " = " + show(had) + ", this run has "
                        + show(f.getValue()) + ": " + fix);
            }
        }
    }

    private static boolean same(Object stored, Object now) {
        if (stored instanceof Number a && now instanceof Number b) return a.doubleValue() == b.doubleValue();
        return stored != null && stored.equals(now);
    }

    private static String show(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        return String.valueOf(v);
    }
}
