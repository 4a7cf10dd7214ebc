package io.descent.cl;

import io.descent.UsageException;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Discovers OpenCL devices on every platform and selects one.
 *
 * <p>A selector is an index ({@code 0}), a type ({@code gpu}, {@code cpu}, {@code accelerator}: the
 * first device of that type), or a case-insensitive substring of the device name (the first match).
 * With no selector, {@value #ENV} decides; without it, the first GPU, else the first CPU, else the
 * first device. A simulator ({@link DeviceInfo#isSimulator}, e.g. Oclgrind, which claims to be a GPU,
 * a CPU and an accelerator at once) is skipped by the default and by type: only an index or a name
 * selects it.
 */
public final class Devices {
    /** Environment variable holding the default device selector. */
    public static final String ENV = "DESCENT_DEVICE";

    private static List<DeviceInfo> cache;

    private Devices() {
    }

    /** All devices of all platforms, in platform order (discovered once per JVM). */
    public static synchronized List<DeviceInfo> all() {
        if (cache == null) {
            cache = Collections.unmodifiableList(discover());
        }
        return cache;
    }

    /** The device for a selector, or the default one when the selector is null or blank. */
    public static DeviceInfo select(String selector) {
        return select(all(), selector, System.getenv(ENV));
    }

    /** Selection over a given list; {@code envDefault} plays the role of {@value #ENV}. */
    public static DeviceInfo select(List<DeviceInfo> devices, String selector, String envDefault) {
        if (devices.isEmpty()) {
            throw new ClException(CL.CL_DEVICE_NOT_FOUND, "looking for OpenCL devices");
        }
        boolean fromEnv = selector == null || selector.isBlank();
        String sel = fromEnv ? envDefault : selector;
        List<DeviceInfo> hardware = devices.stream().filter(d -> !d.isSimulator()).toList();
        if (sel == null || sel.isBlank()) {
            if (hardware.isEmpty()) {
                throw new UsageException("the only OpenCL device" + (devices.size() > 1 ? "s are simulators" : " is a simulator")
                        + " (" + devices.stream().map(DeviceInfo::summary).collect(Collectors.joining("; "))
                        + "), which descent never picks by itself: choose one with --device " + devices.get(0).index()
                        + " (or $" + ENV + "), or install a driver for real hardware (native/setup installs PoCL for the CPU)");
            }
            return hardware.stream().filter(DeviceInfo::isGpu).findFirst()
                    .or(() -> hardware.stream().filter(DeviceInfo::isCpu).findFirst())
                    .orElse(hardware.get(0));
        }
        String s = sel.trim().toLowerCase(Locale.ROOT);
        if (s.matches("\\d+")) {
            int i = Integer.parseInt(s);
            if (i < devices.size()) {
                return devices.get(i);
            }
        } else if (s.equals("gpu") || s.equals("cpu") || s.equals("accelerator")) {
            for (DeviceInfo d : hardware) { // a simulator claims every type; it is chosen by index or name only
                if (d.type().contains(s)) {
                    return d;
                }
            }
        } else {
            for (DeviceInfo d : devices) {
                if (d.name().toLowerCase(Locale.ROOT).contains(s)) {
                    return d;
                }
            }
        }
        String source = fromEnv ? " (from " + ENV + ")" : "";
        throw new UsageException("unknown device '" + sel + "'" + source
                + ": give an index, gpu, cpu or part of a name; devices: "
                + devices.stream().map(DeviceInfo::summary).collect(Collectors.joining("; ")));
    }

    private static List<DeviceInfo> discover() {
        NativeLibrary.load();
        int[] count = new int[1];
        int rc = CL.clGetPlatformIDs(0, null, count);
        if (rc == CL.CL_PLATFORM_NOT_FOUND_KHR || count[0] == 0) {
            return new ArrayList<>();
        }
        ClException.check(rc, "clGetPlatformIDs");
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        ClException.check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        List<DeviceInfo> out = new ArrayList<>();
        for (int p = 0; p < platforms.length; p++) {
            cl_platform_id platform = platforms[p];
            int[] n = new int[1];
            rc = CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, n);
            if (rc == CL.CL_DEVICE_NOT_FOUND || n[0] == 0) {
                continue;
            }
            ClException.check(rc, "clGetDeviceIDs");
            cl_device_id[] ids = new cl_device_id[n[0]];
            ClException.check(CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null),
                    "clGetDeviceIDs");
            for (cl_device_id id : ids) {
                String ext = deviceString(id, CL.CL_DEVICE_EXTENSIONS);
                out.add(new DeviceInfo(out.size(), p,
                        platformString(platform, CL.CL_PLATFORM_NAME),
                        platformString(platform, CL.CL_PLATFORM_VENDOR),
                        platformString(platform, CL.CL_PLATFORM_VERSION),
                        deviceString(id, CL.CL_DEVICE_NAME),
                        deviceString(id, CL.CL_DEVICE_VENDOR),
                        typeName(deviceLong(id, CL.CL_DEVICE_TYPE, Sizeof.cl_ulong)),
                        deviceString(id, CL.CL_DEVICE_VERSION),
                        deviceString(id, CL.CL_DRIVER_VERSION),
                        (int) deviceLong(id, CL.CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint),
                        deviceLong(id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t),
                        deviceLong(id, CL.CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong),
                        deviceLong(id, CL.CL_DEVICE_LOCAL_MEM_SIZE, Sizeof.cl_ulong),
                        deviceLong(id, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE, Sizeof.cl_ulong),
                        ext.contains("cl_khr_fp64") || deviceLong(id, CL.CL_DEVICE_DOUBLE_FP_CONFIG, Sizeof.cl_ulong) != 0,
                        (int) deviceLong(id, CL.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, Sizeof.cl_uint),
                        ext, platform, id));
            }
        }
        return out;
    }

    static String typeName(long type) {
        List<String> names = new ArrayList<>();
        if ((type & CL.CL_DEVICE_TYPE_GPU) != 0) names.add("gpu");
        if ((type & CL.CL_DEVICE_TYPE_CPU) != 0) names.add("cpu");
        if ((type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) names.add("accelerator");
        if ((type & CL.CL_DEVICE_TYPE_CUSTOM) != 0) names.add("custom");
        return names.isEmpty() ? "other" : String.join("+", names);
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        ClException.check(CL.clGetPlatformInfo(platform, param, 0, null, size), "clGetPlatformInfo");
        byte[] buf = new byte[(int) size[0]];
        ClException.check(CL.clGetPlatformInfo(platform, param, buf.length, Pointer.to(buf), null), "clGetPlatformInfo");
        return cString(buf);
    }

    private static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        ClException.check(CL.clGetDeviceInfo(device, param, 0, null, size), "clGetDeviceInfo");
        byte[] buf = new byte[(int) size[0]];
        ClException.check(CL.clGetDeviceInfo(device, param, buf.length, Pointer.to(buf), null), "clGetDeviceInfo");
        return cString(buf);
    }

    /** Reads an unsigned integer property of {@code bytes} bytes (4 or 8). */
    private static long deviceLong(cl_device_id device, int param, int bytes) {
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        int rc = CL.clGetDeviceInfo(device, param, bytes, Pointer.to(buf), null);
        if (rc == CL.CL_INVALID_VALUE) {
            return 0; // property unknown to an older driver (e.g. DOUBLE_FP_CONFIG on OpenCL 1.0)
        }
        ClException.check(rc, "clGetDeviceInfo");
        return bytes == 4 ? Integer.toUnsignedLong(buf.getInt(0)) : buf.getLong(0);
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
