#!/usr/bin/env bash
# Reproduces, without Java or descent, the four Oclgrind 21.10 behaviours that README.md describes.
# Needs gcc, the OpenCL headers (opencl-c-headers, pulled in by ocl-icd-opencl-dev) and oclgrind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
icd=${DESCENT_OCLGRIND_ICD:-/usr/lib/oclgrind/liboclgrind-rt-icd.so}
[ -f "$icd" ] || { echo "no $icd: native/setup tests installs Oclgrind" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/vendors" && echo "$icd" > "$work/vendors/oclgrind.icd"
gcc -O1 -o "$work/repro" "$here/repro.c" -lOpenCL -lpthread || exit 2
run() { OCL_ICD_VENDORS="$work/vendors" "$@"; }

echo "== 1. the uninitialized-value plugin and vload2"
run "$work/repro" "$here/kernels.cl" scalar_sum
run env OCLGRIND_UNINITIALIZED=1 "$work/repro" "$here/kernels.cl" scalar_sum
run "$work/repro" "$here/kernels.cl" vload_global
run env OCLGRIND_UNINITIALIZED=1 "$work/repro" "$here/kernels.cl" vload_global
echo "   exit status with OCLGRIND_UNINITIALIZED=1: $? (139 = SIGSEGV)"

echo "== 2. the quoted source line ignores #line's file"
run env OCLGRIND_LOG="$work/log" "$work/repro" "$here/kernels.cl" out_of_bounds >/dev/null
grep -m1 -A1 'At line' "$work/log"
echo "   (the error is at line 2 of second.cl; the quote is line 2 of the whole source)"

echo "== 3. the uninitialized-value plugin after clEnqueueFillBuffer"
run env OCLGRIND_UNINITIALIZED=1 OCLGRIND_LOG="$work/log3" "$work/repro" "$here/kernels.cl" plus_one fill
echo "   messages: $(grep -c 'Uninitialized' "$work/log3" 2>/dev/null || true) (the buffer was filled with 7: every one is false)"
run env OCLGRIND_UNINITIALIZED=1 OCLGRIND_LOG="$work/log4" "$work/repro" "$here/kernels.cl" plus_one
echo "   messages without the fill, x from CL_MEM_COPY_HOST_PTR: $(grep -c 'Uninitialized' "$work/log4" 2>/dev/null || true)"

echo "== 4. two host threads waiting on one queue"
run "$work/repro" "$here/kernels.cl" plus_one
ok=0
for i in 1 2 3 4 5; do
  run "$work/repro" "$here/kernels.cl" plus_one threads >/dev/null 2>"$work/err4" && ok=$((ok + 1))
done
echo "   clean runs: $ok of 5; $(grep -m1 -o 'Assertion.*failed' "$work/err4" || echo 'no assertion')"
