package io.descent.cl;

import org.jocl.CL;

/** A kernel source did not compile; the message holds the device's build log. */
public class KernelBuildException extends ClException {
    private final String log;

    public KernelBuildException(String source, String options, String device, String log) {
        super(CL.CL_BUILD_PROGRAM_FAILURE,
                "building opencl/" + source + " [" + options + "] failed on '" + device + "': CL_BUILD_PROGRAM_FAILURE\n"
                        + (log == null || log.isBlank() ? "(the driver gave no build log)" : log.strip()),
                true);
        this.log = log == null ? "" : log;
    }

    /** The compiler's log as the driver returned it. */
    public String log() {
        return log;
    }
}
