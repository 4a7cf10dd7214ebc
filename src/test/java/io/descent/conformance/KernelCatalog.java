package io.descent.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every kernel entry point of {@code opencl/*.cl}, read from the sources themselves, so a kernel
 * added there is in the conformance run's coverage check without anyone listing it; and the true
 * text of a source line, since Oclgrind quotes the line of the whole inlined program instead.
 */
final class KernelCatalog {
    /** {@code __kernel [__attribute__((...))] void name(}, across line breaks. */
    private static final Pattern ENTRY = Pattern.compile(
            "__kernel\\s+(?:__attribute__\\s*\\(\\((?:[^()]|\\([^()]*\\))*\\)\\)\\s*)?void\\s+(\\w+)\\s*\\(");

    static final Path SOURCES = Path.of("opencl");

    private KernelCatalog() {
    }

    /**
     * Every entry point, kernel name to "file:kernel" (the file that defines it). Names are unique
     * across the files; a kernel of common.cl is launched from whichever program includes it.
     */
    static java.util.TreeMap<String, String> entryPoints() {
        java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cl")).sorted().toList()) {
                Matcher m = ENTRY.matcher(stripComments(Files.readString(f)));
                while (m.find()) {
                    String previous = out.put(m.group(1), f.getFileName() + ":" + m.group(1));
                    if (previous != null) {
                        throw new IllegalStateException("kernel " + m.group(1) + " is defined in " + previous
                                + " and in " + f.getFileName() + ": kernel names must be unique");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel sources in " + SOURCES.toAbsolutePath(), e);
        }
        return out;
    }

    /** Line {@code line} (1-based) of {@code opencl/<file>}, stripped, or null when there is none. */
    static String sourceLine(String file, int line) {
        Path p = SOURCES.resolve(Path.of(file).getFileName().toString());
        try {
            List<String> lines = Files.exists(p) ? Files.readAllLines(p) : new ArrayList<>();
            return line >= 1 && line <= lines.size() ? lines.get(line - 1).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", "");
    }
}
