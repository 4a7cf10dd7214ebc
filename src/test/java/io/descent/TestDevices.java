package io.descent;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Devices;

/**
 * The device the tests run on: the default selection ({@code DESCENT_DEVICE}, else the first GPU,
 * else the first CPU). In CI that is PoCL's CPU device. One runtime is shared by all tests of the JVM
 * so kernels are compiled once.
 */
public final class TestDevices {
    private static ClRuntime shared;

    private TestDevices() {
    }

    public static DeviceInfo device() {
        return Devices.select(null);
    }

    /** The shared runtime; do not close it. */
    public static synchronized ClRuntime runtime() {
        if (shared == null || shared.isClosed()) {
            shared = ClRuntime.open(device());
        }
        return shared;
    }
}
