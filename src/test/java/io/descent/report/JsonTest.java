package io.descent.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void writesAFileAtomicallyAndLeavesNoTemporaryBehind(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("sub/out.json");
        Json.writeAtomically(file, Map.of("a", 1));
        Json.writeAtomically(file, Map.of("a", 2)); // replaces it
        assertEquals(Map.of("a", 2.0), Json.parse(java.nio.file.Files.readString(file)));
        try (var files = java.nio.file.Files.list(file.getParent())) {
            assertEquals(List.of("out.json"), files.map(f -> f.getFileName().toString()).toList());
        }
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> Json.writeAtomically(file.resolve("below-a-file.json"), Map.of()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("writing " + file.resolve("below-a-file.json")),
                e.getMessage());
    }

    @Test
    void writesAndReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "pthread \"cpu\"\n\ttab");
        m.put("n", 3);
        m.put("x", 0.1);
        m.put("big", 1e300);
        m.put("nan", Double.NaN);
        m.put("ok", true);
        m.put("none", null);
        m.put("list", List.of(1.5, 2.5));
        m.put("nested", List.of(Map.of("a", 1)));
        m.put("params", new double[]{-1.25, 3});
        Object back = Json.parse(Json.write(m));
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) back;
        assertEquals(m.get("name"), r.get("name"));
        assertEquals(3.0, r.get("n"));
        assertEquals(0.1, r.get("x"));
        assertEquals(1e300, r.get("big"));
        assertEquals(null, r.get("nan"), "JSON has no NaN: written as null");
        assertEquals(true, r.get("ok"));
        assertEquals(List.of(1.5, 2.5), r.get("list"));
        assertEquals(List.of(Map.of("a", 1.0)), r.get("nested"));
        assertEquals(List.of(-1.25, 3.0), r.get("params"));
        assertEquals(List.copyOf(m.keySet()), List.copyOf(r.keySet()), "key order kept");
    }

    @Test
    void rejectsBrokenText() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
    }
}
