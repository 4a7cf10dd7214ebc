package io.descent.cl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * What descent needs to know of one OpenCL device. {@code index} counts devices across all
 * platforms in discovery order; it is what {@code --device 0} selects.
 *
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
        String extensions,
        cl_platform_id platformId,
        cl_device_id deviceId) {

    public boolean isGpu() {
        return type.contains("gpu");
    }

    public boolean isCpu() {
        return type.contains("cpu");
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
        return index + ": " + name + " (" + type + ", " + platformName + ")";
    }

    /** A copy claiming different float64 support, for testing capability checks without such hardware. */
    public DeviceInfo withFp64(boolean value) {
        return new DeviceInfo(index, platformIndex, platformName, platformVendor, platformVersion, name, vendor,
                type, openclVersion, driverVersion, computeUnits, maxWorkGroupSize, globalMemory, localMemory,
                maxAllocation, value, extensions, platformId, deviceId);
    }
}
