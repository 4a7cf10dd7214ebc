package io.descent.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
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
