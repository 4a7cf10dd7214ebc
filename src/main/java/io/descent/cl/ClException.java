package io.descent.cl;

import io.descent.DescentException;
import org.jocl.CL;

/**
 * An OpenCL call failed. The message names the call, the CL error by name (not a number) and, for
 * the errors a user can do something about, a hint. The CLI exits with code 3.
 */
public class ClException extends DescentException {
    public static final int EXIT_CODE = 3;

    private final int code;

    public ClException(int code, String what) {
        super(EXIT_CODE, format(code, what));
        this.code = code;
    }

    protected ClException(int code, String message, boolean raw) {
        super(EXIT_CODE, message);
        this.code = code;
    }

    /** The OpenCL error code (negative), e.g. -4 for CL_MEM_OBJECT_ALLOCATION_FAILURE. */
    public int code() {
        return code;
    }

    /** Throws a {@link ClException} when {@code code} is not CL_SUCCESS. */
    public static void check(int code, String what) {
        if (code != CL.CL_SUCCESS) {
            throw new ClException(code, what);
        }
    }

    /** CL error name, e.g. CL_OUT_OF_RESOURCES. */
    public static String name(int code) {
        try {
            String s = CL.stringFor_errorCode(code);
            return s == null || s.startsWith("INVALID error code") ? "CL error " + code : s;
        } catch (LinkageError e) {
            return "CL error " + code; // JOCL's native library is missing; the constants still work
        }
    }

    /** What a user can do about this error, or "" when there is nothing to suggest. */
    public static String hint(int code) {
        switch (code) {
            case CL.CL_MEM_OBJECT_ALLOCATION_FAILURE:
            case CL.CL_INVALID_BUFFER_SIZE:
                return "out of device memory: lower --batch or use another device";
            case CL.CL_OUT_OF_RESOURCES:
                return "the device ran out of resources (memory or registers): lower --batch or use another device";
            case CL.CL_OUT_OF_HOST_MEMORY:
                return "out of host memory: give the JVM more (-Xmx) or use less data";
            case CL.CL_DEVICE_NOT_AVAILABLE:
                return "the device is busy or switched off: pick another with --device";
            case CL.CL_COMPILER_NOT_AVAILABLE:
                return "this OpenCL driver cannot compile kernels: install a full driver (native/setup doctor)";
            case CL.CL_PLATFORM_NOT_FOUND_KHR:
            case CL.CL_DEVICE_NOT_FOUND:
                return "no OpenCL platform or device: run native/setup, then native/setup doctor";
            case CL.CL_INVALID_WORK_GROUP_SIZE:
                return "work-group size not accepted by this device: report it with 'descent devices --json'";
            default:
                return "";
        }
    }

    static String format(int code, String what) {
        String h = hint(code);
        return what + " failed: " + name(code) + (h.isEmpty() ? "" : " (" + h + ")");
    }
}
