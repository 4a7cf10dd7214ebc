#!/usr/bin/env bash
# descent on Spark against MLlib (issue 16), in local[2] or on a local cluster of executor JVMs (issue 27);
# see SparkBench.java. Writes OUT/spark.json.
#   benchmarks/spark/run.sh [OUT_DIR]     SPARK_ROWS (1000000), REPEATS (3), WORKLOADS (linear-10,linear-100,logistic-100),
#                                         MASTER (local[2]; local-cluster[2,1,4096]: two workers of one core)
# Measure on a quiet machine: no build, no tests, nothing else running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/spark-$(date +%F)}
mkdir -p "$out"
"$root/descent" --version >/dev/null   # builds target/descent.jar when stale
cp_file="$root/target/spark-classpath.txt"
(cd "$root" && mvn -q -B dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$cp_file" >/dev/null)
opens="-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false --add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
for m in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$m=ALL-UNNAMED"
done
# compiled, not run as a single source file: Spark deserialises the benchmark's lambdas in its tasks,
# which needs the class on the application class path
cls=$(mktemp -d)
trap 'rm -rf "$cls"' EXIT
javac -nowarn -d "$cls" -cp "$root/target/descent.jar:$(cat "$cp_file")" "$root/benchmarks/spark/SparkBench.java"
jh=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
if [[ "${MASTER:-local[2]}" == local-cluster* ]]; then
  # the workers start executors from a Spark home: an empty one (its jars/ folder) does, with Scala's version
  export SPARK_HOME="$cls/spark-home" SPARK_SCALA_VERSION=2.13
  mkdir -p "$SPARK_HOME/jars"
fi
# shellcheck disable=SC2086
LD_PRELOAD="$jh/lib/libjsig.so" java $opens -Xmx12g -Dlog4j2.configurationFile=io/descent/spark/log4j2.properties \
  -cp "$cls:$root/target/descent.jar:$(cat "$cp_file")" SparkBench > "$out/spark.json"
echo "wrote $out/spark.json" >&2
