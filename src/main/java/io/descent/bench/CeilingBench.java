package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.linalg.Gemm;
import io.descent.profile.Phase;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The device's two ceilings, against which descent's kernels are judged: memory bandwidth (one
 * device-to-device copy, clEnqueueCopyBuffer) and the GEMM rate (the engine the tuning selects, or the one named, on a large square).
 * Device times come from profiling events.
 */
public final class CeilingBench {
    private final ClRuntime rt;
    private final int warmup;
    private final int repeats;

    public CeilingBench(ClRuntime rt, int warmup, int repeats) {
        Timing.checkRuns(warmup, repeats);
        this.rt = rt;
        this.warmup = warmup;
        this.repeats = repeats;
    }

    /**
     * A copy of {@code bytes} between two device buffers. {@code gbps_device} counts the bytes read
     * plus the bytes written (2 x bytes per copy), as bandwidth tests do; a kernel that only reads
     * its data is compared with it as read bytes over this figure.
     */
    public Map<String, Object> copy(long bytes) {
        long n = Math.max(1, bytes / Precision.FP32.bytes());
        Map<String, Object> out = new LinkedHashMap<>();
        try (DeviceArray a = rt.allocate(Precision.FP32, n); DeviceArray b = rt.allocate(Precision.FP32, n)) {
            a.fill(1.0, Phase.TRANSFER);
            Timing.Result r = Timing.measure(rt, warmup, repeats, () -> b.copyFrom(a, Phase.TRANSFER));
            long moved = 2 * a.bytes();
            out.put("bytes", a.bytes());
            out.putAll(r.wall().toJson());
            out.put("device_median_s", r.device().median());
            out.put("device_spread", r.device().spread());
            out.put("gbps_device", moved / r.device().median() / 1e9);
            out.put("gbps_wall", moved / r.wall().median() / 1e9);
            double[] check = b.read(n - 1, 1);
            out.put("ok", check[0] == 1.0);
        }
        return out;
    }

    /**
     * The link between host and device: {@code bytes} uploaded and downloaded, from and to a direct
     * (unpinned) host buffer and from and to pinned memory (a buffer made with
     * CL_MEM_ALLOC_HOST_PTR and mapped), as the streaming objective uploads its chunks. GB/s from the
     * transfers' device times; keys {@code upload_gbs}, {@code download_gbs} and their pinned twins.
     */
    public Map<String, Object> link(long bytes) {
        long n = Math.max(1, bytes / Precision.FP32.bytes());
        long size = n * Precision.FP32.bytes();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bytes", size);
        java.nio.ByteBuffer plain = java.nio.ByteBuffer.allocateDirect((int) Math.min(size, Integer.MAX_VALUE - 8))
                .order(java.nio.ByteOrder.nativeOrder());
        int[] err = new int[1];
        org.jocl.cl_mem pinnedMem = org.jocl.CL.clCreateBuffer(rt.context(), org.jocl.CL.CL_MEM_ALLOC_HOST_PTR
                | org.jocl.CL.CL_MEM_READ_WRITE, size, null, err);
        io.descent.cl.ClException.check(err[0], "allocating pinned host memory");
        try (DeviceArray d = rt.allocate(Precision.FP32, n)) {
            java.nio.ByteBuffer pinned = org.jocl.CL.clEnqueueMapBuffer(rt.queue(), pinnedMem, org.jocl.CL.CL_TRUE,
                    org.jocl.CL.CL_MAP_READ | org.jocl.CL.CL_MAP_WRITE, 0, size, 0, null, null, err);
            io.descent.cl.ClException.check(err[0], "mapping pinned host memory");
            pinned.order(java.nio.ByteOrder.nativeOrder());
            for (var kv : Map.of("", plain, "_pinned", pinned).entrySet()) {
                java.nio.ByteBuffer host = kv.getValue();
                Timing.Result up = Timing.measure(rt, warmup, repeats, () -> {
                    org.jocl.cl_event e = d.writeAsync(0, host, n, null);
                    org.jocl.CL.clWaitForEvents(1, new org.jocl.cl_event[]{e});
                    org.jocl.CL.clReleaseEvent(e);
                });
                Timing.Result down = Timing.measure(rt, warmup, repeats, () -> d.readInto(host, n));
                out.put("upload" + kv.getKey() + "_gbs", size / up.device().median() / 1e9);
                out.put("upload" + kv.getKey() + "_spread", up.device().spread());
                out.put("download" + kv.getKey() + "_gbs", size / down.device().median() / 1e9);
                out.put("download" + kv.getKey() + "_spread", down.device().spread());
            }
            org.jocl.CL.clEnqueueUnmapMemObject(rt.queue(), pinnedMem, pinned, 0, null, null);
            rt.finish();
        } finally {
            org.jocl.CL.clReleaseMemObject(pinnedMem);
        }
        return out;
    }

    /** C = A B for n x n matrices of uniform values in {@code precision}: GFLOP/s counts 2 n^3. */
    public Map<String, Object> gemm(int n, Precision p) {
        return gemm(n, p, null, repeats);
    }

    /**
     * An n x n x n product by {@code engine} ({@link Gemm#CLBLAST}, {@link Gemm#DESCENT}, or null for
     * the one the tuning selects), timed over {@code runs} repeats.
     */
    public Map<String, Object> gemm(int n, Precision p, String engine, int runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        double[] values = new SplittableRandom(n).doubles((long) n * n, -1, 1).toArray();
        try (Gemm g = engine == null ? new Gemm(rt, p) : new Gemm(rt, p, engine);
             DeviceArray a = rt.upload(p, values); DeviceArray b = rt.upload(p, values);
             DeviceArray c = rt.allocate(p, (long) n * n)) {
            Timing.Result r = Timing.measure(rt, warmup, runs,
                    () -> g.gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n, Phase.SOLVE));
            double flops = 2.0 * n * n * n;
            out.put("n", n);
            out.put("engine", g.engine());
            out.putAll(r.wall().toJson());
            out.put("device_median_s", r.device().median());
            out.put("device_spread", r.device().spread());
            out.put("gflops_device", flops / r.device().median() / 1e9);
            out.put("gflops_wall", flops / r.wall().median() / 1e9);
            // one entry against float64 on the host: a wrong GEMM must not pass for a fast one
            int i = n / 3, j = n / 2;
            double exact = 0, abs = 0;
            for (int k = 0; k < n; k++) {
                double ai = p.round(values[i * n + k]), bj = p.round(values[k * n + j]);
                exact += ai * bj;
                abs += Math.abs(ai * bj);
            }
            double got = c.read((long) i * n + j, 1)[0];
            out.put("ok", Math.abs(got - exact) <= 2.0 * n * p.unitRoundoff() * abs);
        }
        return out;
    }
}
