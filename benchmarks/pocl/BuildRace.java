// PoCL builds fail when the JVM raises a signal during clang's preprocessing; see README.md.
// Plain JOCL, no descent code. Run (JDK 11+ runs a single source file):
//   java -cp ~/.m2/repository/org/jocl/jocl/2.0.5/jocl-2.0.5.jar benchmarks/pocl/BuildRace.java [GC_EVERY_MS [HOT_THREADS]]
// Builds a one-line kernel 60 times (a new -D each time, so nothing comes from a cache) while one
// thread (or HOT_THREADS threads) runs a hot loop (compiled code with safepoint polls) and, with GC_EVERY_MS, another
// calls System.gc() that often. Prints how many builds failed, and the first failure's log.
import org.jocl.*;

public class BuildRace {
    public static void main(String[] args) {
        long gcEvery = args.length > 0 ? Long.parseLong(args[0]) : 0;
        int hotThreads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        for (int t = 0; t < hotThreads; t++) {
            Thread hot = new Thread(() -> { long x = 0; while (true) { x += x * 31 + 7; if (x == 42) System.out.println(); } });
            hot.setDaemon(true);
            hot.start();
        }
        if (gcEvery > 0) {
            Thread gc = new Thread(() -> { while (true) { System.gc(); try { Thread.sleep(gcEvery); } catch (InterruptedException e) { return; } } });
            gc.setDaemon(true);
            gc.start();
        }
        CL.setExceptionsEnabled(false);
        cl_platform_id[] platform = new cl_platform_id[1];
        CL.clGetPlatformIDs(1, platform, null);
        cl_device_id[] device = new cl_device_id[1];
        CL.clGetDeviceIDs(platform[0], CL.CL_DEVICE_TYPE_ALL, 1, device, null);
        cl_context ctx = CL.clCreateContext(null, 1, device, null, null, null);
        String src = "__kernel void k(__global float* x) { x[get_global_id(0)] += 1.0f; }";
        int failed = 0, n = 60;
        String first = null;
        for (int i = 0; i < n; i++) {
            cl_program p = CL.clCreateProgramWithSource(ctx, 1, new String[]{src}, null, null);
            int rc = CL.clBuildProgram(p, 1, device, "-DNONCE=" + System.nanoTime(), null, null);
            if (rc != CL.CL_SUCCESS) {
                failed++;
                if (first == null) {
                    long[] size = new long[1];
                    CL.clGetProgramBuildInfo(p, device[0], CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
                    byte[] log = new byte[(int) size[0]];
                    CL.clGetProgramBuildInfo(p, device[0], CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
                    first = new String(log).trim();
                }
            }
            CL.clReleaseProgram(p);
        }
        System.out.println("builds failed: " + failed + " of " + n + (gcEvery > 0 ? " (System.gc() every " + gcEvery + " ms)" : ""));
        if (first != null) System.out.println("first failure: " + first);
        CL.clReleaseContext(ctx);
    }
}
