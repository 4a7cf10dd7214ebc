package io.descent;

/** A user error: a bad option, value, selector or file. The CLI exits with code 2. */
public class UsageException extends DescentException {
    public static final int EXIT_CODE = 2;

    public UsageException(String message) {
        super(EXIT_CODE, message);
    }
}
