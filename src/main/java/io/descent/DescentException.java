package io.descent;

/**
 * Base of every error descent reports to a user. Each kind maps to one exit code of the CLI, and
 * its message is a single line that names the bad value and what to do about it.
 */
public class DescentException extends RuntimeException {
    private final int exitCode;

    public DescentException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public DescentException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Exit code of the CLI for this error: 2 user error, 3 device or kernel failure, 4 divergence. */
    public int exitCode() {
        return exitCode;
    }
}
