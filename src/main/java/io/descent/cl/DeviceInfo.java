package io.descent.cl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * What descent needs to know of one OpenCL device. {@code index} counts devices across all
 * platforms in discovery order; it is what {@code --device 0} selects.
 *
 * @param nativeFloatWidth the device's native vector width for float (CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT):
 *                   the SIMD width of a CPU, 1 on most GPUs; 0 when the driver does not say
 * @param platformId and {@code deviceId} are null for a device description not backed by a driver
 *                   (tests use such fakes to check capability rules).
 */
public record DeviceInfo(
        int index,
        int platformIndex,
        String platformName,
        String platformVendor,
        String platformVersion,
        String name,
        String vendor,
        String type,
        String openclVersion,
        String driverVersion,
        int computeUnits,
        long maxWorkGroupSize,
        long globalMemory,
        long localMemory,
        long maxAllocation,
        boolean fp64,
        int nativeFloatWidth,
        String extensions,
        cl_platform_id platformId,
        cl_device_id deviceId) {

    public boolean isGpu() {
        return type.contains("gpu");
    }

    public boolean isCpu() {
        return type.contains("cpu");
    }

    /**
     * A simulator (Oclgrind) rather than hardware: it checks every access and is hundreds of times
     * slower, so it is never chosen by default or by type, only by index or name.
     */
    public boolean isSimulator() {
        String s = (platformName + " " + name + " " + vendor).toLowerCase(java.util.Locale.ROOT);
        return s.contains("oclgrind") || s.contains("simulator");
    }

    /** The type as descent shows it: the driver's type, with "simulator" for a simulator. */
    public String typeLabel() {
        return isSimulator() ? "simulator (claims " + type + ")" : type;
    }

    /** Bytes of the device's native float vector (0 when the driver does not say). */
    public int nativeVectorBytes() {
        return Math.max(0, nativeFloatWidth) * 4;
    }

    /** Major.minor OpenCL version of the device, e.g. 3.0, from "OpenCL 3.0 PoCL ...". */
    public double openclVersionNumber() {
        String[] parts = openclVersion.split(" ");
        try {
            return parts.length > 1 ? Double.parseDouble(parts[1]) : 1.0;
        } catch (NumberFormatException e) {
            return 1.0;
        }
    }

    /** One line: index, name, type, platform. */
    public String summary() {
        return index + ": " + name + " (" + typeLabel() + ", " + platformName + ")";
    }

    /** A copy claiming different float64 support, for testing capability checks without such hardware. */
    public DeviceInfo withFp64(boolean value) {
        return new DeviceInfo(index, platformIndex, platformName, platformVendor, platformVersion, name, vendor,
                type, openclVersion, driverVersion, computeUnits, maxWorkGroupSize, globalMemory, localMemory,
                maxAllocation, value, nativeFloatWidth, extensions, platformId, deviceId);
    }
}
