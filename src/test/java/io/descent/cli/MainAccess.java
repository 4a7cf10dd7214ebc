package io.descent.cli;

/** The CLI entry point for tests outside this package: exit code, stdout and stderr. */
public final class MainAccess {
    private MainAccess() {
    }

    public static String[] run(String... args) {
        MainTest.Result r = MainTest.run(args);
        return new String[]{Integer.toString(r.code()), r.out(), r.err()};
    }
}
