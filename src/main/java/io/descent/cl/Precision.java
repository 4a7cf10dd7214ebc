package io.descent.cl;

import io.descent.UsageException;

import java.util.Locale;

/** Element type of device arrays and kernels; arrives in kernels as {@code -DPRECISION=32|64}. */
public enum Precision {
    FP32(32, 4, 0x1p-24),
    FP64(64, 8, 0x1p-53);

    private final int bits;
    private final int bytes;
    private final double unitRoundoff;

    Precision(int bits, int bytes, double unitRoundoff) {
        this.bits = bits;
        this.bytes = bytes;
        this.unitRoundoff = unitRoundoff;
    }

    public int bits() {
        return bits;
    }

    public int bytes() {
        return bytes;
    }

    /** Unit roundoff u = 2^-24 (float32) or 2^-53 (float64): |fl(x) - x| <= u|x|. */
    public double unitRoundoff() {
        return unitRoundoff;
    }

    /** Name used on the command line and in reports: fp32 or fp64. */
    public String label() {
        return "fp" + bits;
    }

    /** Rounds a double to this precision (identity for FP64). */
    public double round(double x) {
        return this == FP32 ? (double) (float) x : x;
    }

    /**
     * Throws a user error when this precision needs a capability the device lacks (float64 without
     * {@code cl_khr_fp64}).
     */
    public void requireSupportedBy(DeviceInfo device) {
        if (this == FP64 && !device.fp64()) {
            throw new UsageException("float64 requested, but device '" + device.name()
                    + "' has no cl_khr_fp64: use --precision fp32, or pick a device with float64 ('descent devices' shows which)");
        }
    }

    /** Parses fp32, fp64, 32, 64, float, double, single (any case). */
    public static Precision parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "fp32": case "32": case "float": case "float32": case "single": return FP32;
            case "fp64": case "64": case "double": case "float64": return FP64;
            default:
                throw new UsageException("unknown precision '" + text + "': use fp32 or fp64");
        }
    }
}
