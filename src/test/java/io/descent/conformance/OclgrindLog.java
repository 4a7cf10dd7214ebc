package io.descent.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Oclgrind's diagnostics, parsed from its log ({@code OCLGRIND_LOG}: memory errors, data races,
 * barrier divergence) and from the process's stderr (API errors with {@code OCLGRIND_CHECK_API},
 * which Oclgrind 21.10 prints there and not to the log).
 *
 * <p>A log message is a block that ends at an empty line: a headline ("Invalid read of size 4 at
 * global memory address ..."), then tab-indented lines naming the kernel ("Kernel: mlp_hvp") and,
 * per entity, "At line N (column C) of FILE:" followed by Oclgrind's quote of that line. The quote
 * is dropped: Oclgrind takes it from the inlined program source by line number alone, ignoring the
 * {@code #line} file, so for every file that includes common.cl it quotes the wrong text. The
 * true line is read from {@code opencl/FILE} instead.
 */
final class OclgrindLog {
    record Location(String file, int line, int column) {
        @Override
        public String toString() {
            String text = KernelCatalog.sourceLine(file, line);
            return file + ":" + line + ":" + column + (text == null ? "" : "  `" + text + "`");
        }
    }

    record Diagnostic(String headline, String kernel, List<Location> at, String raw) {
        /** One paragraph: kernel, first location with its true source line, Oclgrind's headline. */
        String describe() {
            StringBuilder b = new StringBuilder();
            b.append(kernel == null ? "(no kernel)" : kernel);
            for (Location l : at) {
                b.append("\n    at ").append(l);
            }
            b.append("\n    ").append(headline);
            return b.toString();
        }
    }

    private static final Pattern AT = Pattern.compile("At line (\\d+) \\(column (\\d+)\\) of (.+):");
    private static final Pattern KERNEL = Pattern.compile("^\\s*Kernel:\\s*(\\S+)");

    private OclgrindLog() {
    }

    /** The messages of a log file's text. */
    static List<Diagnostic> parseLog(String text) {
        List<Diagnostic> out = new ArrayList<>();
        List<String> block = new ArrayList<>();
        for (String line : (text + "\n\n").split("\n", -1)) {
            if (line.isEmpty()) {
                if (!block.isEmpty()) {
                    out.add(diagnostic(block));
                    block.clear();
                }
            } else {
                block.add(line);
            }
        }
        return out;
    }

    /** API errors in a process's stderr: "Oclgrind - OpenCL runtime error detected" and its lines. */
    static List<Diagnostic> parseStderr(String text) {
        List<Diagnostic> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("Oclgrind - ")) {
                List<String> block = new ArrayList<>();
                block.add(lines[i]);
                while (i + 1 < lines.length && lines[i + 1].startsWith("\t")) {
                    block.add(lines[++i]);
                }
                String headline = String.join(" ", block.stream().map(String::strip).toList());
                out.add(new Diagnostic(headline, null, List.of(), String.join("\n", block)));
            }
        }
        return out;
    }

    /** Messages per kernel ("(no kernel)" for API errors), in first-seen order. */
    static Map<String, Integer> countByKernel(List<Diagnostic> ds) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Diagnostic d : ds) {
            m.merge(d.kernel() == null ? "(no kernel)" : d.kernel(), 1, Integer::sum);
        }
        return m;
    }

    private static Diagnostic diagnostic(List<String> block) {
        String kernel = null;
        List<Location> at = new ArrayList<>();
        for (String l : block) {
            Matcher k = KERNEL.matcher(l);
            if (kernel == null && k.find()) {
                kernel = k.group(1);
            }
            Matcher a = AT.matcher(l.strip());
            if (a.matches()) {
                at.add(new Location(a.group(3), Integer.parseInt(a.group(1)), Integer.parseInt(a.group(2))));
            }
        }
        return new Diagnostic(block.get(0).strip(), kernel, at, String.join("\n", block));
    }
}
