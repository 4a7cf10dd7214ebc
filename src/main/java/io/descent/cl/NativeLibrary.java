package io.descent.cl;

import org.jocl.CL;

/**
 * Loads JOCL's native library, turning a missing OpenCL ICD loader into a message that says how to
 * install one instead of an UnsatisfiedLinkError.
 */
final class NativeLibrary {
    private static boolean loaded;
    private static String failure;

    private NativeLibrary() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        if (failure == null) {
            try {
                CL.setExceptionsEnabled(false);
                int[] n = new int[1];
                CL.clGetPlatformIDs(0, null, n);
                loaded = true;
                return;
            } catch (LinkageError e) {
                // UnsatisfiedLinkError, or ExceptionInInitializerError of org.jocl.CL wrapping it
                failure = "no OpenCL ICD loader: Java could not load libOpenCL.so. Run native/setup "
                        + "(it installs ocl-icd-libopencl1, ocl-icd-opencl-dev and pocl-opencl-icd), "
                        + "then native/setup doctor";
            }
        }
        throw new ClException(CL.CL_PLATFORM_NOT_FOUND_KHR, failure, true);
    }
}
