package io.descent.cl;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inlining common.cl, and build-log locations rewritten to the true file and line on any driver. */
class KernelSourceTest {
    private static final KernelSource.Loaded BROKEN = KernelSource.loadMapped("test_broken.cl");

    /** Line (1-based) of the inlined text that holds {@code text}. */
    private static int wholeLine(String text) {
        List<String> lines = Arrays.asList(BROKEN.text().split("\n", -1));
        int i = lines.indexOf(text);
        assertTrue(i >= 0, text);
        return i + 1;
    }

    @Test
    void everyLineOfTheInlinedTextKnowsItsFileAndLine() {
        assertEquals("test_broken.cl:6", BROKEN.locate(wholeLine("    undeclared_variable += 1;")));
        assertEquals("test_broken.cl:4", BROKEN.locate(wholeLine("__kernel void broken(__global real* x) {")));
        int groupSum = wholeLine("inline acc group_sum(acc v, __local acc* scratch) {");
        assertTrue(BROKEN.locate(groupSum).startsWith("common.cl:"), BROKEN.locate(groupSum));
        assertTrue(groupSum > 40, "common.cl comes first in the inlined text");
        assertEquals(null, BROKEN.locate(1), "line 1 is the first #line directive");
    }

    @Test
    void logLocationsOfTheInlinedWholeAreRewrittenWhateverTheDriverCallsTheSource() {
        int l = wholeLine("    undeclared_variable += 1;");
        for (String name : new String[]{"input.cl", "<kernel>", "/tmp/OCL1234T5.cl", "1"}) {
            String log = name + ":" + l + ":5: error: use of undeclared identifier 'undeclared_variable'\n"
                    + "    undeclared_variable += 1;\n    ^\n2 errors generated.";
            String mapped = BROKEN.mapLog(log);
            assertTrue(mapped.startsWith("test_broken.cl:6:5: error: use of undeclared"), name + " -> " + mapped);
            assertTrue(mapped.endsWith("    ^\n2 errors generated."), "the rest is kept: " + mapped);
        }
    }

    @Test
    void locationsThatAlreadyNameOurFilesAreKept() {
        String pocl = "test_broken.cl:6:5: error: use of undeclared identifier\n"
                + "warning: linear.cl:250:30 <Spelling=x.h:720:28>: something";
        assertEquals(pocl, BROKEN.mapLog(pocl));
        assertEquals("", BROKEN.mapLog(""));
        assertEquals("no locations here: 2 errors generated.", BROKEN.mapLog("no locations here: 2 errors generated."));
    }
}
