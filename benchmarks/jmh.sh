#!/usr/bin/env bash
# Microbenchmarks (JMH, sources in src/jmh/java). Arguments go to JMH, e.g.
#   benchmarks/jmh.sh Scrubber -prof gc
# Run it alone: the machine is small and a parallel build or test run skews every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pjmh -DskipTests compile dependency:build-classpath -Dmdep.includeScope=provided \
  -Dmdep.outputFile=target/jmh/classpath.txt
exec java -cp "target/jmh/classes:$(cat target/jmh/classpath.txt)" org.openjdk.jmh.Main "$@"
