"""What every Python peer shares: arguments, the timed `wait` tool body, the per-query report.

A peer runs `--queries N` queries one after another in one process. Each query sends the prompt
"go"; the model server (fake-model-server with a `fan_out` script) answers with 4 parallel calls of
`wait`, then with the final text once the results come back. `wait` sleeps 200 ms without blocking
the event loop and appends "query call start end" (CLOCK_REALTIME seconds) to --timestamps, so the
driver can check from the tools' own records that the calls overlapped.
"""
import argparse
import asyncio
import json
import sys
import time

WAIT_SECONDS = 0.2


class Recorder:
    def __init__(self, path):
        self.path = path
        self.query = 0
        self.call = 0
        self.lines = []

    async def wait(self):
        call = self.call
        self.call += 1
        start = time.time()
        await asyncio.sleep(WAIT_SECONDS)
        end = time.time()
        self.lines.append(f"{self.query} {call} {start:.6f} {end:.6f}\n")
        return "waited 200 ms"

    def next_query(self, query):
        self.query = query
        self.call = 0

    def flush(self):
        with open(self.path, "a") as handle:
            handle.writelines(self.lines)
        self.lines = []


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--queries", type=int, default=1)
    parser.add_argument("--timestamps", required=True)
    return parser.parse_args()


async def run_queries(options, recorder, run_one):
    """Runs `run_one()` --queries times; prints one JSON line per query with its wall time."""
    for query in range(options.queries):
        recorder.next_query(query)
        started = time.perf_counter()
        answer = await run_one()
        wall = time.perf_counter() - started
        if "All done" not in str(answer):
            print(f"unexpected answer: {answer!r}", file=sys.stderr)
            sys.exit(1)
        print(json.dumps({"query": query, "wall_s": wall}), flush=True)
    recorder.flush()
