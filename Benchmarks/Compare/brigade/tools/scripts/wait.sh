#!/bin/bash
# The command tool of Benchmarks/Compare: sleeps 200 ms in a real child process and appends
# "- - start end" (CLOCK_REALTIME seconds, from bash's EPOCHREALTIME: no extra process) to the file
# $COMPARE_TIMESTAMPS names, so the driver can check that a turn's calls overlapped.
start=$EPOCHREALTIME
/bin/sleep 0.2
echo "- - $start $EPOCHREALTIME" >> "$COMPARE_TIMESTAMPS"
echo "waited 200 ms"
