package io.descent.cli;

import io.descent.DescentException;
import io.descent.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * The {@code descent} command. Exit codes: 0 success, 1 internal error, 2 user error (bad option,
 * value or device), 3 device or kernel failure, 4 a run stopped by the divergence guard. User errors
 * print one line, never a stack trace, unless {@code --verbose}.
 */
@Command(name = "descent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train models on any OpenCL device and measure, phase by phase, what each optimizer costs.",
        subcommands = {CompareCommand.class, RaceCommand.class, TrainCommand.class, PredictCommand.class, EvaluateCommand.class, SparkCommand.class, TraceCommand.class, ScenariosCommand.class,
                DevicesCommand.class, ConvertCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                " 0:success",
                " 1:internal error (a bug: run with --verbose and report it)",
                " 2:user error: bad option, value, file or device",
                " 3:OpenCL device or kernel failure",
                " 4:run stopped by the divergence guard"})
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command line with descent's error handling, writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        // NaN parses as a double but means nothing as an option: --lr NaN would fall back to a default unseen
        CommandLine.ITypeConverter<Double> number = text -> {
            double v = Double.parseDouble(text);
            if (Double.isNaN(v)) throw new CommandLine.TypeConversionException("'" + text + "' is not a number: give a value");
            return v;
        };
        cl.registerConverter(Double.class, number);
        cl.registerConverter(Double.TYPE, number);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("descent: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return UsageException.EXIT_CODE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            PrintWriter e = c.getErr();
            int code;
            if (ex instanceof DescentException de) {
                e.println("descent: " + de.getMessage());
                code = de.exitCode();
            } else if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                // a file that cannot be read or written is the environment's doing, not a bug
                e.println("descent: " + ioMessage(ex) + "; check the path, its permissions and the free space");
                code = UsageException.EXIT_CODE;
            } else {
                e.println("descent: internal error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)"));
                code = 1;
            }
            if (verbose) {
                ex.printStackTrace(e);
            }
            e.flush();
            return code;
        });
        return cl;
    }

    /** The message of an I/O failure with its cause's reason, e.g. "writing a.json: /x: permission denied". */
    static String ioMessage(Exception ex) {
        Throwable cause = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
        return ioMessage(ex.getMessage() == null ? "input/output error" : ex.getMessage(), cause);
    }

    /** {@code what}, then the reason {@code cause} gives, unless {@code what} already ends with it. */
    static String ioMessage(String what, Throwable cause) {
        String reason = cause instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : cause instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                : cause instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                : cause instanceof java.nio.file.FileSystemException f ? f.getReason()
                : cause == null ? null : cause.getMessage();
        return reason == null || what.endsWith(reason) ? what : what + ": " + reason;
    }

    /** Runs descent with {@code args}, returning the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        int code;
        try {
            code = commandLine(out, err).execute(args);
        } catch (OutOfMemoryError e) {
            // one that the checks before allocating could not foresee
            Runtime r = Runtime.getRuntime();
            err.println("descent: out of Java heap (" + e.getMessage() + "; this JVM may use "
                    + io.descent.cl.Format.bytes(r.maxMemory()) + ", its -Xmx): give Java more with -Xmx "
                    + "(DESCENT_JAVA_OPTS=-Xmx16g for the descent script), or use less data (--npy streams it)");
            code = UsageException.EXIT_CODE;
        }
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }
}
