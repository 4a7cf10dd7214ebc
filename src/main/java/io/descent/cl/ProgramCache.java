package io.descent.cl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Built programs kept on disk, as the driver's binary and its build log, so a kernel variant is
 * compiled once per machine. It saves the compiler's time, and on PoCL it is what keeps a busy JVM's
 * builds from failing: PoCL runs clang inside the process, and a signal in any thread during a
 * build can delete clang's temporary file (benchmarks/pocl/README.md); a program made from its
 * binary does not run clang.
 *
 * <p>It is off unless asked for: PoCL compiles every kernel of a program to give its binary, which
 * made a cold run of the test suite 2.5 times longer (22 min against 8.5), and GPU drivers keep
 * caches of their own. {@code DESCENT_PROGRAM_CACHE=DIR} keeps it in DIR, {@code =on} in {@code
 * $XDG_CACHE_HOME/descent/programs} or {@code ~/.cache/descent/programs}. An entry's name is a
 * SHA-256 of the platform, device and driver, the build options and the whole source, so any
 * change to one of them is a new entry. An entry ends with the SHA-256 of its binary, checked
 * before the driver sees it. A simulator's programs
 * are never cached (the conformance run compiles every kernel). A cache that cannot be read or
 * written is ignored: it is only ever a shortcut.
 */
final class ProgramCache {
    static final String ENV = "DESCENT_PROGRAM_CACHE";
    private static final int MAGIC = 0x44455343; // "DESC"

    private final Path dir;

    ProgramCache(Path dir) {
        this.dir = dir;
    }

    /** The cache the environment asks for; null when it is off (the default). */
    static ProgramCache fromEnvironment(Map<String, String> env) {
        String set = env.get(ENV);
        if (set == null || set.isBlank() || set.equalsIgnoreCase("off") || set.equals("0") || set.equalsIgnoreCase("false")) {
            return null;
        }
        if (!set.equalsIgnoreCase("on") && !set.equals("1") && !set.equalsIgnoreCase("true")) return new ProgramCache(Path.of(set));
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new ProgramCache(base.resolve("descent").resolve("programs"));
    }

    static String key(DeviceInfo device, String options, String source) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[]{"descent program v1", device.platformName(), device.platformVersion(),
                    device.name(), device.driverVersion(), device.openclVersion(), options, source}) {
                md.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A cached binary and its log. */
    record Entry(byte[] binary, String log) {
    }

    Entry load(String key) {
        Path f = dir.resolve(key + ".bin");
        try {
            if (!Files.isRegularFile(f)) return null;
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() < 12 || b.getInt() != MAGIC) return null;
            int logBytes = b.getInt();
            if (logBytes < 0 || logBytes > b.remaining() - 4) return null;
            byte[] log = new byte[logBytes];
            b.get(log);
            int binBytes = b.getInt();
            if (binBytes < 1 || binBytes != b.remaining() - 32) return null;
            byte[] bin = new byte[binBytes];
            b.get(bin);
            byte[] sum = new byte[32];
            b.get(sum);
            // a driver may trust its binary blindly (PoCL crashes on a damaged one): check every byte first
            if (!MessageDigest.isEqual(sum, sha256(bin))) return null;
            return new Entry(bin, new String(log, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    void store(String key, byte[] binary, String log) {
        if (binary == null || binary.length == 0) return;
        byte[] text = log.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(12 + text.length + binary.length + 32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(text.length).put(text).putInt(binary.length).put(binary).put(sha256(binary));
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            try {
                Files.write(tmp, b.array());
                Files.move(tmp, dir.resolve(key + ".bin"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // a read-only or full disk: the next run builds again
        }
    }

    Path dir() {
        return dir;
    }
}
