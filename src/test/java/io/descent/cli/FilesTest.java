package io.descent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.descent.report.Json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that never lie: outputs whole or absent, one run per output, nothing read back trusted blindly. */
class FilesTest {
    @TempDir
    Path dir;

    static Path csv(Path file, int rows, int badLine) throws IOException {
        StringBuilder b = new StringBuilder("a,b,y\n");
        for (int i = 0; i < rows; i++) {
            b.append(i == badLine - 2 ? "x" : Double.toString(i * 0.01)).append(',').append(Math.sin(i)).append(',')
                    .append(2.0 * i * 0.01 - Math.sin(i)).append('\n');
        }
        return Files.writeString(file, b.toString());
    }

    private List<String> names(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedConvertLeavesThePreviousOutputAsItWas() throws IOException {
        Path good = csv(dir.resolve("good.csv"), 500, -1);
        Path bad = csv(dir.resolve("bad.csv"), 500, 401);
        Path out = dir.resolve("cv");
        assertEquals(0, MainTest.run("convert", good.toString(), "--out", out.toString()).code());
        byte[] x = Files.readAllBytes(out.resolve("X.npy")), y = Files.readAllBytes(out.resolve("y.npy"));
        MainTest.Result r = MainTest.run("convert", bad.toString(), "--out", out.toString(), "--order", "F");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("401"), r.err());
        assertArrayEquals(x, Files.readAllBytes(out.resolve("X.npy")));
        assertArrayEquals(y, Files.readAllBytes(out.resolve("y.npy")));
        assertEquals(List.of("X.npy", "y.npy"), names(out), "no temporary file left");
    }

    @Test
    void convertToFloat32RefusesAValueBeyondItsRangeNamingTheColumn() throws IOException {
        Path f = Files.writeString(dir.resolve("wide.csv"), "a,big,y\n1,2,3\n4,1e39,6\n");
        MainTest.Result r = MainTest.run("convert", f.toString(), "--out", dir.resolve("o").toString(), "--dtype", "float32");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'big'") && r.err().contains("float64"), r.err());
        assertTrue(Files.notExists(dir.resolve("o/X.npy")) && Files.notExists(dir.resolve("o/y.npy")));
        assertEquals(0, MainTest.run("convert", f.toString(), "--out", dir.resolve("o").toString()).code(),
                "float64 holds it");
    }

    static final String[] TRAIN = {"train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "6", "--no-progress"};

    @Test
    void anOutputThatWouldReplaceAnotherIsRefused() throws IOException {
        Path same = dir.resolve("same.json");
        MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", same.toString(), "--save-params", same.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("same file"), r.err());
        Path o = dir.resolve("o");
        r = MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", o.resolve("history.csv").toString(), "--out", o.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("history.csv"), r.err());
        r = MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint-every", "5"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--checkpoint-every 5 needs --checkpoint"), r.err());
    }

    @Test
    void anExistingCheckpointIsReplacedOnlyWhenResumedOrWithOverwrite() throws IOException {
        Path ck = dir.resolve("ck.json");
        assertEquals(0, MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString())).code());
        String first = Files.readString(ck);
        MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("step 6") && r.err().contains("--resume") && r.err().contains("--overwrite"), r.err());
        assertEquals(first, Files.readString(ck), "untouched");
        String[] more = {"train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "9", "--no-progress"};
        assertEquals(0, MainTest.run(CommandsTest.concat(more, "--checkpoint", ck.toString(), "--resume", ck.toString())).code());
        assertTrue(Files.readString(ck).contains("\"step\": 9"), Files.readString(ck));
        assertEquals(0, MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString(), "--overwrite")).code());
        assertTrue(Files.readString(ck).contains("\"step\": 6"));
    }

    @Test
    void aFolderInUseIsRefusedNamingItsHolderAndAStaleLockIsTakenOver() throws IOException {
        Path o = dir.resolve("o");
        java.io.StringWriter notes = new java.io.StringWriter();
        try (OutputLock held = OutputLock.acquire("--out", o, "descent train", new java.io.PrintWriter(notes))) {
            String holder = Files.readString(o.resolve(OutputLock.NAME));
            assertTrue(holder.contains("pid " + ProcessHandle.current().pid()) && holder.contains("started"), holder);
            MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, "--out", o.toString()));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("in use") && r.err().contains("pid " + ProcessHandle.current().pid()), r.err());
            assertTrue(Files.notExists(o.resolve("run.json")));
        }
        assertTrue(notes.toString().isEmpty(), notes.toString());
        assertTrue(Files.notExists(o.resolve(OutputLock.NAME)), "deleted when released");
        assertTrue(Files.notExists(o), "the folder the lock made, left empty by the refused run, is removed");
        Files.createDirectories(o);
        Files.writeString(o.resolve(OutputLock.NAME), "pid 999999999 on elsewhere, started 2026-01-01T00:00:00Z, descent train\n");
        MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, "--out", o.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("taking over") && r.err().contains("pid 999999999"), r.err());
        assertEquals(List.of("history.csv", "loss_vs_gradients.png", "loss_vs_time.png", "run.json"), names(o));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRaceRerunWithOtherSettingsRunsItsTrialsAgainAndNeverRelabelsThem() throws IOException {
        Path out = dir.resolve("r");
        String[] race = {"race", "--scenarios", "x2", "--optimizers", "gd", "--tune", "lr=0.1,0.3", "--no-progress", "--out",
                out.toString()};
        assertEquals(0, MainTest.run(race).code());
        Path trial = out.resolve("trials/x2/gd__lr=0.1__seed0.json");
        assertEquals("fp32", ((Map<String, Object>) Json.parse(Files.readString(trial))).get("precision"));
        MainTest.Result r = MainTest.run(CommandsTest.concat(race, "--precision", "fp64", "--steps", "5", "--seed", "7"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("ran again 2 stored trial(s)"), r.err());
        Map<String, Object> t = (Map<String, Object>) Json.parse(Files.readString(trial));
        assertEquals("fp64", t.get("precision"));
        assertEquals(7.0, t.get("seed"));
        assertTrue(((Number) t.get("steps")).longValue() <= 5, t.toString());
        Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
        assertEquals("fp64", summary.get("precision"));
        MainTest.Result same = MainTest.run(CommandsTest.concat(race, "--precision", "fp64", "--steps", "5", "--seed", "7"));
        assertTrue(same.out().contains("2 of 2 trials") && !same.err().contains("ran again"), same.out() + same.err());
    }

    @Test
    void aDamagedCheckpointIsRefusedNamingTheField() throws IOException {
        Path ck = dir.resolve("ck.json");
        assertEquals(0, MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString())).code());
        String good = Files.readString(ck);
        String[] resume = {"train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "9", "--no-progress",
                "--resume", ck.toString()};
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"format\":\"descent-checkpoint-1\"}", "'parameters'");
        cases.put(good.replaceFirst("\"step\": 6", "\"step\": -5"), "'step' is -5");
        cases.put(good.replaceFirst("\"params\": \\[[^,\\]]*,", "\"params\": ["), "'params' holds 1 values");
        cases.put(good.replaceFirst("\"identity\"", "\"identiti\""), "'identity' is missing");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(ck, c.getKey());
            MainTest.Result r = MainTest.run(resume);
            assertEquals(2, r.code(), c.getKey() + "\n" + r.err());
            assertTrue(r.err().contains(c.getValue()) && !r.err().contains("internal"), r.err());
        }
        Files.writeString(ck, good);
        MainTest.Result other = MainTest.run(CommandsTest.concat(resume, "--seed", "7"));
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("seed = 42, this run has 7"), other.err());
        assertEquals(0, MainTest.run(resume).code());
    }

    @Test
    void aFormat1CheckpointIsCheckedOnTheFieldsItHasAndResumedWithANote() throws IOException {
        Path ck = dir.resolve("ck.json");
        assertEquals(0, MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString())).code());
        // as descent wrote it before identities: the same fields, format 1, no "identity"
        String old = Files.readString(ck).replace("descent-checkpoint-2", "descent-checkpoint-1")
                .replaceFirst("\"identity\": \\{[^}]*\\},?", "");
        assertTrue(!old.contains("identity") && old.contains("descent-checkpoint-1"), old);
        String[] resume = {"train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "9", "--no-progress",
                "--resume", ck.toString()};
        Files.writeString(ck, old.replaceFirst("\"precision\": \"fp32\"", "\"precision\": \"fp64\""));
        MainTest.Result r = MainTest.run(resume);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("precision") && r.err().contains("fp64"), r.err());
        Files.writeString(ck, old);
        r = MainTest.run(CommandsTest.concat(resume, "--checkpoint", ck.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("descent-checkpoint-1") && r.err().contains("cannot be checked"), r.err());
        String now = Files.readString(ck);
        assertTrue(now.contains("descent-checkpoint-2") && now.contains("\"identity\"") && now.contains("\"step\": 9"), now);
    }

    @Test
    void aCheckpointInUseByAnotherRunIsRefusedAndARefusedRunLeavesNoEmptyOut() throws IOException {
        Path ck = dir.resolve("ck.json");
        java.io.StringWriter notes = new java.io.StringWriter();
        try (OutputLock held = OutputLock.acquireFile("--checkpoint", ck, "descent train", new java.io.PrintWriter(notes))) {
            Path o = dir.resolve("fresh");
            MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString(), "--out", o.toString()));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--checkpoint " + ck) && r.err().contains("in use")
                    && r.err().contains("pid " + ProcessHandle.current().pid()), r.err());
            assertTrue(Files.notExists(ck) && Files.notExists(o), "nothing written, and no empty --out made");
        }
        assertEquals(List.of(), names(dir), "the lock file is deleted when released");
        Path png = dir.resolve("t.png");
        try (OutputLock held = OutputLock.acquireFile("--out", png, "descent trace", new java.io.PrintWriter(notes))) {
            MainTest.Result r = MainTest.run("trace", "--function", "x2", "--optimizers", "gd:lr=0.2", "--out", png.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--out " + png) && r.err().contains("in use"), r.err());
        }
        assertEquals(0, MainTest.run("trace", "--function", "x2", "--optimizers", "gd:lr=0.2", "--out", png.toString()).code());
        assertEquals(List.of("t.csv", "t.png"), names(dir), "the chart and its path data, no lock file");
        Files.delete(png);
        Files.delete(dir.resolve("t.csv"));
        assertEquals(0, MainTest.run(CommandsTest.concat(TRAIN, "--checkpoint", ck.toString())).code());
        assertEquals(List.of("ck.json"), names(dir));
        // a run that fails before writing anything leaves no --out folder it made
        Path o = dir.resolve("bad");
        MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, "--out", o.toString(), "--init", "sideways"));
        assertEquals(2, r.code(), r.err());
        assertTrue(Files.notExists(o), "no empty --out");
    }

    /** Softmax regression and networks now take --alpha (PenaltyCommandTest); a test function has no penalty. */
    @Test
    void aPenaltyTheObjectiveWouldIgnoreIsRefused() {
        for (String[] c : new String[][]{{"--objective", "function:rosenbrock"}, {"--scenario", "rosenbrock"}}) {
            MainTest.Result r = MainTest.run(CommandsTest.concat(new String[]{"train", "--steps", "2", "--no-progress",
                    "--alpha", "0.1"}, c));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--alpha 0.1") && r.err().contains("drop --alpha"), r.err());
        }
    }

    @Test
    void badNumbersAndSizesAreRefusedWithTheReasonAndTheFix() {
        for (String[] bad : new String[][]{{"--lr", "NaN"}, {"--target-loss", "NaN"}, {"--time-budget", "NaN"}, {"--divergence-factor", "-NaN"}}) {
            MainTest.Result r = MainTest.run(CommandsTest.concat(TRAIN, bad));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(bad[0]) && r.err().contains("not a number"), r.err());
        }
        MainTest.Result rows = MainTest.run("train", "--objective", "linear", "--data", "seed000-regression", "--rows",
                "200000000", "--no-progress");
        assertEquals(2, rows.code(), rows.err());
        assertTrue(rows.err().contains("--rows 200000000") && rows.err().contains("-Xmx") && rows.err().contains("GiB"),
                rows.err());
        MainTest.Result dim = MainTest.run("train", "--objective", "function:rosenbrock", "--dimension", "2000000000",
                "--no-progress");
        assertEquals(2, dim.code(), dim.err());
        assertTrue(dim.err().contains("--dimension 2000000000") && dim.err().contains("-Xmx"), dim.err());
    }

    @Test
    void float32OverflowOfTheDataIsReportedAsSuchNamingTheColumn() throws IOException {
        StringBuilder b = new StringBuilder("a,big,y\n");
        for (int i = 0; i < 50; i++) b.append(i).append(',').append(i == 30 ? "1e39" : Integer.toString(i % 7)).append(',').append(i % 3).append('\n');
        Path f = Files.writeString(dir.resolve("wide.csv"), b.toString());
        String[] train = {"train", "--csv", f.toString(), "--optimizer", "gd:lr=1e-3", "--steps", "3", "--no-progress"};
        MainTest.Result r = MainTest.run(train);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'big'") && r.err().contains("row 31") && r.err().contains("fp64"), r.err());
        assertEquals(0, MainTest.run("convert", f.toString(), "--out", dir.resolve("n").toString()).code());
        MainTest.Result npy = MainTest.run("train", "--npy", dir.resolve("n/X.npy").toString(), "--npy-target",
                dir.resolve("n/y.npy").toString(), "--optimizer", "gd:lr=1e-3", "--steps", "3", "--no-progress");
        assertEquals(2, npy.code(), npy.err());
        assertTrue(npy.err().contains("column 2") && npy.err().contains("row 31") && npy.err().contains("fp64"), npy.err());
    }

    @Test
    void aFolderOrACutNpyIsNamedAsSuch() throws IOException {
        Path f = csv(dir.resolve("d.csv"), 200, -1);
        Path n = dir.resolve("n");
        assertEquals(0, MainTest.run("convert", f.toString(), "--out", n.toString()).code());
        MainTest.Result folder = MainTest.run("train", "--npy", n.toString(), "--npy-target", n.resolve("y.npy").toString(),
                "--steps", "2", "--no-progress");
        assertEquals(2, folder.code(), folder.err());
        assertTrue(folder.err().contains("is a directory") && folder.err().contains("X.npy"), folder.err());
        byte[] whole = Files.readAllBytes(n.resolve("X.npy"));
        Files.write(n.resolve("X.npy"), java.util.Arrays.copyOf(whole, whole.length - 100));
        MainTest.Result cut = MainTest.run("train", "--npy", n.resolve("X.npy").toString(), "--npy-target",
                n.resolve("y.npy").toString(), "--steps", "2", "--no-progress");
        assertEquals(2, cut.code(), cut.err());
        assertTrue(cut.err().contains("incomplete") && cut.err().contains("write the file again"), cut.err());
    }
}
