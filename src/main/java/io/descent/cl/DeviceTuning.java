package io.descent.cl;

import io.descent.UsageException;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The tuning values of every kernel family for one device: the first entry of a small table that
 * matches the device (by type, vendor and name, as CLBlast keeps its database), then any overrides
 * from {@value #ENV} ("KEY=INTEGER,..."). One object answers the host and the kernels alike, so a
 * launch always uses the sizes its program was compiled for.
 *
 * <p>An entry says where it was measured; an entry that was not measured says so, and
 * {@code descent bench tune} sweeps the values on the device at hand and prints a line to try with
 * {@value #ENV} or to add here.
 */
public final class DeviceTuning {
    /** Environment variable with overrides, e.g. {@code DESCENT_TUNING="WGS=128,GROUPS_PER_CU=16"}. */
    public static final String ENV = "DESCENT_TUNING";

    /** What can be tuned. Keys with a define name reach the kernels as that {@code -D} define. */
    public enum Key {
        WGS("WGS", true, "work-items per group of the data and reduction kernels"),
        VEC_BYTES(null, true, "bytes of consecutive rows a work-item takes per step in linear.cl and cholesky.cl (the "
                + "kernels' VEC: this over the value size, at least 1)"),
        CHUNKED("CHUNKED", false, "1: a work-item walks a contiguous chunk of rows (CPU); 0: rows strided over all "
                + "work-items, so neighbours read neighbouring values (GPU, coalesced)"),
        GROUPS_PER_CU(null, false, "work-groups per compute unit for kernels that stream over rows"),
        TILE_BLOCKS("TILE_BLOCKS", false, "row blocks a work-item adds before its group sums (linear.cl)"),
        RB("RB", false, "row blocks per Hessian tile (linear.cl)"),
        MLP_VEC_BYTES(null, true, "bytes of rows an MLP work-item handles as one vector (mlp.cl's VEC)"),
        MLP_WGS(null, true, "work-items per group of the MLP kernels"),
        MLP_CHUNKS(null, false, "row vectors per MLP work-item and tile (mlp.cl's CHUNKS)"),
        MLP_GROUPS_PER_CU(null, false, "MLP work-groups per compute unit"),
        CHOL_SMALL(null, false, "largest n the one-work-group Cholesky kernel factors; blocked above"),
        CHOL_BLOCK(null, false, "block size of the blocked Cholesky"),
        CHOL_VEC(null, false, "values per work-item in the blocked trailing update (0: the data kernels' VEC)"),
        CHOL_ROWS(null, true, "rows per work-item in the blocked trailing update (cholesky.cl's TI)"),
        GRAM_FROM(null, false, "smallest parameter count whose linear/logistic Hessian uses the tiled kernel (gram.cl) "
                + "instead of the one-pass fused one (at most 65)"),
        GRAM_TS(null, true, "tile edge of the tiled Hessian (gram.cl's TS)"),
        GRAM_RB(null, true, "register block edge of the tiled Hessian, dividing GRAM_TS (gram.cl's RB)"),
        GRAM_KB(null, true, "rows per local-memory tile of the tiled Hessian (gram.cl's KB)"),
        WIDE_FROM(null, false, "smallest parameter count whose linear/logistic loss, gradient and Hessian-vector "
                + "product take two passes, rows then columns (wide.cl), instead of linear.cl's one fused pass, "
                + "whose work-items keep an accumulator per parameter"),
        GEMM_ENGINE(null, false, "matrix products (layers, Hessians): 0 CLBlast, 1 descent's own gemm.cl"),
        GEMM_VEC_BYTES(null, true, "bytes per vector of gemm.cl's register block (its VW: this over the value size)"),
        GEMM_MR(null, false, "rows of C per gemm.cl register block (MR)"),
        GEMM_NV(null, false, "vectors per row of a gemm.cl register block (NV; NR = NV x VW columns)"),
        GEMM_KU(null, false, "k unroll of gemm.cl's inner loop (KU)"),
        GEMM_KC(null, false, "k values per packed slice of a gemm.cl product (KC)"),
        GEMM_RP(null, false, "row panels of C per gemm.cl work-item (RP): fewer, longer work-items that keep a B panel in cache"),
        CHOL_GEMM_FROM(null, false, "rows after the first block from which the blocked Cholesky is recursive, every "
                + "update one gemm.cl product, instead of right-looking with cholesky.cl's update (only with GEMM_ENGINE=1)"),
        MLP_FUSED_MAX(null, false, "widest hidden layer of a one-output network trained by the fused kernel (mlp.cl, a "
                + "row per work-item); wider ones, and every softmax network, run as layers of matrix products (at most "
                + "64: past it mlp.cl's private arrays overflow a work-item's stack)"),
        GEMM_SLAB(null, true, "most GEMM_KC slices a gemm.cl product packs and multiplies per launch when C is small "
                + "(under 2^22 entries): fewer launches for long k, the same rounding");

        private final String define;
        private final boolean powerOfTwo;
        private final String meaning;

        Key(String define, boolean powerOfTwo, String meaning) {
            this.define = define;
            this.powerOfTwo = powerOfTwo;
            this.meaning = meaning;
        }

        public String meaning() {
            return meaning;
        }

        void check(int value, String where) {
            boolean ok = this == CHUNKED || this == GEMM_ENGINE ? value == 0 || value == 1
                    : this == CHOL_VEC ? value == 0 || value == 1 || value == 2 || value == 4 || value == 8 || value == 16
                    : value >= 1 && (!powerOfTwo || Integer.bitCount(value) == 1);
            if (!ok) {
                String rule = this == CHUNKED || this == GEMM_ENGINE ? "0 or 1" : this == CHOL_VEC ? "0, 1, 2, 4, 8 or 16"
                        : powerOfTwo ? "a power of two" : "at least 1";
                throw new UsageException(where + ": " + name() + "=" + value + " must be " + rule + " (" + meaning + ")");
            }
        }
    }

    /**
     * One row of the table.
     *
     * @param name       short name shown by {@code descent devices}
     * @param measuredOn where the values were measured, or null where they are only reasoned
     */
    record Entry(String name, String measuredOn, Predicate<DeviceInfo> matches, Map<Key, Integer> values) {
    }

    // Columns, in Key order: WGS, VEC_BYTES, CHUNKED, GROUPS_PER_CU, TILE_BLOCKS, RB;
    // MLP_VEC_BYTES, MLP_WGS, MLP_CHUNKS, MLP_GROUPS_PER_CU; CHOL_SMALL, CHOL_BLOCK, CHOL_VEC, CHOL_ROWS;
    // GRAM_FROM, GRAM_TS, GRAM_RB, GRAM_KB; WIDE_FROM;
    // GEMM_ENGINE, GEMM_VEC_BYTES, GEMM_MR, GEMM_NV, GEMM_KU, GEMM_KC, GEMM_RP; CHOL_GEMM_FROM; MLP_FUSED_MAX;
    // GEMM_SLAB (the GPU entries keep 1, one slice per launch: not measured).
    // WIDE_FROM: on a GPU the fused kernels' p + 1 accumulators per work-item leave the registers past
    // ~64 (reasoned). On PoCL the two passes take 0.8-2.1x the fused one's time up to 1,000 parameters
    // (benchmarks/wide), so the cpu entry keeps it as far as it safely goes.
    // MLP_FUSED_MAX: on PoCL the fused kernel is 3.6-18x faster than layers at widths 8-64
    // (benchmarks/layers/switch.sh), so 64, the most mlp.cl holds; the GPU entries keep 64, not measured.
    private static final Map<Key, Integer> GPU = values(
            256, 4, 0, 8, 32, 8,
            4, 64, 1, 8,
            128, 64, 0, 8,
            33, 64, 4, 16,
            65,
            0, 16, 4, 2, 4, 256, 1, 256, 64,
            1);

    /** Largest MLP_FUSED_MAX an override may set: the width mlp.cl's private arrays hold. */
    public static final int MAX_MLP_FUSED = 64;

    /** Largest WIDE_FROM an override may set (see build). */
    public static final int MAX_WIDE_FROM = 1025;

    /** First match wins; the last entry matches every device. */
    static final List<Entry> TABLE = List.of(
            new Entry("cpu", "PoCL 3.1 on 2 cores of AMD EPYC VMs: AVX-512, and AVX2 for RB and the GEMM_* and CHOL_GEMM_FROM keys (benchmarks/RESULTS.md)", DeviceInfo::isCpu, values(
                    16, 32, 1, 4, 32, 2,
                    64, 1, 16, 4,
                    192, 64, 16, 16,
                    65, 64, 16, 16,
                    MAX_WIDE_FROM,
                    1, 64, 4, 3, 4, 512, 1, 256, 64,
                    16)),
            // NVIDIA schedules warps of 32 and keeps up to 2048 threads per SM: 8 groups of 256 fill one.
            new Entry("nvidia-gpu", null, d -> d.isGpu() && vendorHas(d, "nvidia"), GPU),
            // AMD runs wavefronts of 64; 256 is four of them.
            new Entry("amd-gpu", null, d -> d.isGpu() && (vendorHas(d, "amd") || vendorHas(d, "advanced micro")), GPU),
            new Entry("gpu", null, d -> true, GPU));

    private final Entry entry;
    private final EnumMap<Key, Integer> values;
    private final Map<Key, Integer> overridden;
    private final long maxWorkGroup;
    private final int vectorCap;

    private DeviceTuning(Entry entry, EnumMap<Key, Integer> values, Map<Key, Integer> overridden, long maxWorkGroup,
                         int vectorCap) {
        this.vectorCap = vectorCap;
        this.entry = entry;
        this.values = values;
        this.overridden = overridden;
        this.maxWorkGroup = maxWorkGroup;
    }

    /**
     * Environment variable naming the table entry to use instead of the one that matches the device,
     * e.g. {@code DESCENT_TUNING_ENTRY=gpu}: to try another vendor's values, and so the tests run the
     * GPU entry's kernel shapes on PoCL.
     */
    public static final String ENTRY_ENV = "DESCENT_TUNING_ENTRY";

    /** The entry {@value #ENTRY_ENV} names, else the table's entry for {@code device}; then the overrides of {@value #ENV}. */
    public static DeviceTuning forDevice(DeviceInfo device) {
        String entry = System.getenv(ENTRY_ENV);
        if (entry != null && !entry.isBlank()) {
            try {
                return named(entry.trim(), device, System.getenv(ENV));
            } catch (IllegalArgumentException e) {
                throw new UsageException(ENTRY_ENV + ": " + e.getMessage());
            }
        }
        return forDevice(device, System.getenv(ENV));
    }

    /**
     * The table's entry for {@code device} with {@code overrides} ("KEY=INTEGER,...", null or blank
     * for none) applied.
     *
     * @throws UsageException an override that is not KEY=INTEGER, names no key, or is out of range
     */
    public static DeviceTuning forDevice(DeviceInfo device, String overrides) {
        return build(TABLE.stream().filter(x -> x.matches().test(device)).findFirst().orElseThrow(), device, overrides);
    }

    /**
     * The table entry named {@code name} applied to {@code device} whatever the device is (the tests
     * run the GPU entry on PoCL this way), with {@code overrides}.
     */
    public static DeviceTuning named(String name, DeviceInfo device, String overrides) {
        Entry e = TABLE.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no tuning entry '" + name + "'; entries: "
                        + TABLE.stream().map(Entry::name).toList()));
        return build(e, device, overrides);
    }

    private static DeviceTuning build(Entry e, DeviceInfo device, String overrides) {
        EnumMap<Key, Integer> v = new EnumMap<>(e.values());
        // An entry's vectors never exceed the device's native width: the cpu entry was measured with
        // AVX-512, and on an AVX2 CPU 64-byte vectors go through builtins with a non-native ABI
        // (PoCL warns at every build) for no gain. Overrides below are taken as given. A simulator's
        // native width says nothing of hardware, and it runs an entry to check that entry's shapes.
        int nativeBytes = device.nativeVectorBytes() > 0 && !device.isSimulator()
                ? Integer.highestOneBit(device.nativeVectorBytes()) : 0;
        boolean capped = false;
        for (Key k : new Key[]{Key.VEC_BYTES, Key.MLP_VEC_BYTES, Key.GEMM_VEC_BYTES}) {
            // a GPU reports a native width of one value, yet its GEMM tiles load vectors (CLBlast's VWM)
            if (k == Key.GEMM_VEC_BYTES && !device.isCpu()) continue;
            if (nativeBytes > 0 && v.get(k) > nativeBytes) {
                v.put(k, nativeBytes);
                capped = true;
            }
        }
        Map<Key, Integer> changed = new LinkedHashMap<>();
        if (overrides != null && !overrides.isBlank()) {
            for (String kv : overrides.split(",")) {
                String[] p = kv.trim().split("=");
                if (p.length != 2 || !p[1].trim().matches("-?\\d{1,9}")) {
                    throw new UsageException(ENV + ": '" + kv.trim() + "' is not KEY=INTEGER, e.g. WGS=128");
                }
                Key key = keyNamed(p[0].trim());
                int value = Integer.parseInt(p[1].trim());
                key.check(value, ENV);
                v.put(key, value);
                changed.put(key, value);
            }
        }
        if (v.get(Key.GRAM_TS) % v.get(Key.GRAM_RB) != 0 || v.get(Key.GRAM_FROM) > 65) {
            throw new UsageException(ENV + ": GRAM_RB=" + v.get(Key.GRAM_RB) + " must divide GRAM_TS=" + v.get(Key.GRAM_TS)
                    + ", and GRAM_FROM=" + v.get(Key.GRAM_FROM) + " must be at most 65 (the fused kernel's limit + 1)");
        }
        if (v.get(Key.MLP_FUSED_MAX) > MAX_MLP_FUSED) {
            throw new UsageException(ENV + ": MLP_FUSED_MAX=" + v.get(Key.MLP_FUSED_MAX) + " must be at most " + MAX_MLP_FUSED
                    + ": wider layers overflow mlp.cl's private arrays (784-256-256-1 crashed PoCL with SIGSEGV)");
        }
        if (v.get(Key.WIDE_FROM) > MAX_WIDE_FROM) {
            throw new UsageException(ENV + ": WIDE_FROM=" + v.get(Key.WIDE_FROM) + " must be at most " + MAX_WIDE_FROM
                    + ": wider models than that on the fused kernels overflow a CPU work-item's stack (PoCL crashed "
                    + "from 8,000 parameters) and a GPU's private memory");
        }
        return new DeviceTuning(e, v, changed, Math.max(1, device.maxWorkGroupSize()), capped ? nativeBytes : 0);
    }

    private static Key keyNamed(String name) {
        try {
            return Key.valueOf(name);
        } catch (IllegalArgumentException ex) {
            String hint = name.equals("VEC") ? " (VEC follows from VEC_BYTES and the precision: set VEC_BYTES)" : "";
            throw new UsageException(ENV + ": unknown key '" + name + "'" + hint + "; keys: "
                    + String.join(", ", java.util.Arrays.stream(Key.values()).map(Enum::name).toList()));
        }
    }

    /** The value of {@code key}; work-group sizes are capped at the device's largest power of two. */
    public int get(Key key) {
        int v = values.get(key);
        if (key == Key.WGS || key == Key.MLP_WGS) {
            v = (int) Math.min(v, Long.highestOneBit(maxWorkGroup));
        }
        return v;
    }

    /** Work-items per group of the data and reduction kernels. */
    public int workGroupSize() {
        return get(Key.WGS);
    }

    /** The data kernels' VEC: values of {@code precision} per work-item step, at least 1. */
    public int vectorWidth(Precision precision) {
        return Math.max(1, Math.min(16, get(Key.VEC_BYTES) / precision.bytes()));
    }

    /** gemm.cl's VW: values of {@code precision} per vector of its register block, at least 1. */
    public int gemmVectorWidth(Precision precision) {
        return Math.max(1, Math.min(16, get(Key.GEMM_VEC_BYTES) / precision.bytes()));
    }

    /** The device's native vector bytes where the entry's vectors were wider and were capped to it, else 0. */
    public int vectorCapBytes() {
        return vectorCap;
    }

    /** Work-groups of a kernel that streams over rows on a device of {@code computeUnits}. */
    public int dataGroups(int computeUnits) {
        return Math.max(1, computeUnits) * get(Key.GROUPS_PER_CU);
    }

    /** The {@code -D} defines every program gets for {@code precision}. */
    public Map<String, String> defines(Precision precision) {
        Map<String, String> d = new TreeMap<>();
        for (Key k : Key.values()) {
            if (k.define != null) {
                d.put(k.define, Integer.toString(get(k)));
            }
        }
        d.put("VEC", Integer.toString(vectorWidth(precision)));
        return d;
    }

    /** The table entry's name, e.g. "cpu" or "nvidia-gpu". */
    public String entryName() {
        return entry.name();
    }

    /** Where the entry was measured, or null if its values are reasoned, not measured. */
    public String measuredOn() {
        return entry.measuredOn();
    }

    /** The keys {@value #ENV} changed, with their values. */
    public Map<Key, Integer> overridden() {
        return Map.copyOf(overridden);
    }

    /** Every key and its value (capped as {@link #get} caps it), in table order. */
    public Map<String, Integer> values() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Key k : Key.values()) {
            m.put(k.name(), get(k));
        }
        return m;
    }

    /** All values as one "KEY=V,..." string: what {@value #ENV} accepts. */
    public String asOverrides() {
        StringBuilder b = new StringBuilder();
        values().forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    /** One line for {@code descent devices}: entry, provenance and overrides. */
    public String describe() {
        String s = entry.name() + (entry.measuredOn() == null ? " (not measured)" : "");
        if (vectorCap > 0) {
            s += ", vectors capped at the device's " + vectorCap + "-byte native width";
        }
        if (!overridden.isEmpty()) {
            StringBuilder b = new StringBuilder();
            overridden.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
            s += ", " + ENV + " " + b;
        }
        return s;
    }

    private static boolean vendorHas(DeviceInfo d, String word) {
        return (d.vendor() + " " + d.platformVendor()).toLowerCase(Locale.ROOT).contains(word);
    }

    /** The table's columns, in {@link Key} order. */
    private static Map<Key, Integer> values(int... v) {
        Key[] keys = Key.values();
        if (v.length != keys.length) {
            throw new IllegalStateException(v.length + " values for " + keys.length + " keys");
        }
        EnumMap<Key, Integer> m = new EnumMap<>(Key.class);
        for (int i = 0; i < v.length; i++) {
            keys[i].check(v[i], "tuning table");
            m.put(keys[i], v[i]);
        }
        return Map.copyOf(m);
    }
}
