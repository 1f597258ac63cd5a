#!/usr/bin/env python3
"""Benchmarks/Compare driver: Brigade against Python agent frameworks on one scenario.

Scenario: a query "go"; the model (fake-model-server, a `fan_out` script, in its own process, no
latency) asks for 4 parallel calls of `wait` (200 ms each), then answers. Measured per peer:
  (a) one query in a fresh process: wall, CPU (user+sys of the process and its children) and peak
      RSS, from os.wait4; the median of --repeat runs;
  (b) --queries queries in one process: the median per-query time above the 200 ms floor.
Every peer's calls are checked for overlap from the tools' own timestamps. Usage: see ./run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WAIT = 0.2
CALLS = 4


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brigade", required=True, help="the brigade executable (release build)")
    parser.add_argument("--runner", required=True, help="the compare-runner executable (release build)")
    parser.add_argument("--server", required=True, help="the fake-model-server executable")
    parser.add_argument("--python", required=True, help="the virtualenv's python")
    parser.add_argument("--spawn-baseline", required=True, help="the compiled spawn_baseline.c")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--only", help="comma-separated peer names")
    return parser.parse_args()


def start_server(executable, workdir):
    script = os.path.join(workdir, "script.json")
    with open(script, "w") as handle:
        json.dump({"fan_out": {"tool": "wait", "calls": CALLS, "answer": "All done."}}, handle)
    server = subprocess.Popen([executable, script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = server.stdout.readline().strip()
    if not port.isdigit():
        sys.exit(f"fake-model-server did not print its port (got {port!r})")
    return server, f"http://127.0.0.1:{port}/v1"


def run_measured(argv, env, cwd=None, stdin=None):
    """Runs argv to completion; returns (wall s, cpu s, peak RSS MiB, stdout)."""
    out = tempfile.TemporaryFile()
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.PIPE,
                               stdin=open(stdin) if stdin else subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace")
    out.seek(0)
    stdout = out.read().decode(errors="replace")
    if process.returncode != 0:
        sys.exit(f"{argv[0]} failed ({process.returncode}):\n{stderr[-2000:]}\n{stdout[-2000:]}")
    # ru_maxrss is the largest single process of the tree (the peer itself here), in KiB.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout


def overlap_problems(path, grouped_by_query):
    """Checks that each query's CALLS calls overlapped, from the tools' own timestamps."""
    with open(path) as handle:
        rows = [line.split() for line in handle if line.strip()]
    calls = [(row[0], float(row[2]), float(row[3])) for row in rows]
    groups = {}
    if grouped_by_query:
        for query, start, end in calls:
            groups.setdefault(query, []).append((start, end))
    else:  # the CLI's command tool does not know its query: queries run one after another
        calls.sort(key=lambda call: call[1])
        for index in range(0, len(calls), CALLS):
            groups[index // CALLS] = [(start, end) for _, start, end in calls[index:index + CALLS]]
    problems = []
    for query, spans in groups.items():
        if len(spans) != CALLS:
            problems.append(f"query {query}: {len(spans)} calls")
        elif max(start for start, _ in spans) >= min(end for _, end in spans):
            problems.append(f"query {query}: calls did not overlap")
    return len(groups), problems


class Peer:
    def __init__(self, name, kind, argv, cwd=None, grouped=True):
        self.name, self.kind, self.argv, self.cwd, self.grouped = name, kind, argv, cwd, grouped

    def one_query(self, env, workdir, attempt):
        stamps = os.path.join(workdir, f"{self.slug}-one-{attempt}.txt")
        wall, cpu, rss, _ = run_measured(self.command(1, stamps, workdir), {**env, "COMPARE_TIMESTAMPS": stamps}, self.cwd)
        return wall, cpu, rss, stamps

    def many_queries(self, env, workdir, count):
        stamps = os.path.join(workdir, f"{self.slug}-many.txt")
        _, _, _, stdout = run_measured(self.command(count, stamps, workdir), {**env, "COMPARE_TIMESTAMPS": stamps}, self.cwd)
        return self.walls(stdout, workdir), stamps

    @property
    def slug(self):
        return self.name.lower().replace(" ", "-").replace("(", "").replace(")", "")

    def command(self, count, stamps, workdir):
        return self.argv + ["--queries", str(count), "--timestamps", stamps]

    def walls(self, stdout, workdir):
        return [json.loads(line)["wall_s"] for line in stdout.splitlines() if line.startswith("{")]


class BrigadeCLI(Peer):
    """`brigade ask` for one query; `brigade batch --concurrency 1` for many (per-item latency)."""

    def command(self, count, stamps, workdir):
        if count == 1:
            return self.argv + ["ask", "--mode", "model", "go"]
        prompts = os.path.join(workdir, "prompts.jsonl")
        with open(prompts, "w") as handle:
            for index in range(count):
                handle.write(json.dumps({"id": f"q{index}", "prompt": "go"}) + "\n")
        self.results = os.path.join(workdir, "results.jsonl")
        if os.path.exists(self.results):
            os.remove(self.results)
        return self.argv + ["batch", prompts, "--out", self.results, "--concurrency", "1", "--mode", "model"]

    def walls(self, stdout, workdir):
        with open(self.results) as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        bad = [record for record in records if "All done" not in (record.get("answer") or "")]
        if bad:
            sys.exit(f"brigade batch: {len(bad)} items without the answer, e.g. {bad[0]}")
        return [record["timings"]["latency_ms"] / 1000 for record in records]


def fan_out_check(brigade, env, cwd, baseline):
    """Brigade's command-tool fan-out (from `ask --json`) beside a bare posix_spawn loop."""
    result = subprocess.run([brigade, "ask", "--json", "--mode", "model", "go"], env=env, cwd=cwd,
                            capture_output=True, text=True, check=True)
    fan_outs = []
    for line in result.stdout.splitlines():
        event = json.loads(line)
        for timing in event.get("turn_timings", []) or []:
            if timing.get("tool_calls", timing.get("calls", 0)):
                fan_outs.append(timing)
    spawn = [int(subprocess.run([baseline, str(CALLS)], capture_output=True, text=True, check=True).stdout) for _ in range(5)]
    return fan_outs, statistics.median(spawn) / 1000


def main():
    options = parse()
    workdir = tempfile.mkdtemp(prefix="brigade-compare-")
    server, base_url = start_server(options.server, workdir)
    env = {**os.environ, "COMPARE_BASE_URL": base_url, "NO_COLOR": "1", "OPENAI_API_KEY": "compare", "OPENAI_AGENTS_DISABLE_TRACING": "1"}
    env.pop("BRIGADE_LOG", None)
    peers_dir = os.path.join(HERE, "peers")
    cli_dir = os.path.join(HERE, "brigade")
    python = [options.python, "-X", "frozen_modules=on"]
    peers = [
        Peer("Brigade (library)", "in-process Swift closure tool", [options.runner, "--base-url", base_url]),
        BrigadeCLI("Brigade (CLI)", "command tool: a child process per call", [options.brigade], cwd=cli_dir, grouped=False),
        Peer("bare openai loop", "openai SDK + asyncio.gather", python + [os.path.join(peers_dir, "bare_openai.py"), "--base-url", base_url]),
        Peer("OpenAI Agents SDK", "async function_tool", python + [os.path.join(peers_dir, "agents_sdk.py"), "--base-url", base_url]),
        Peer("LangGraph", "create_react_agent, async tool", python + [os.path.join(peers_dir, "langgraph_agent.py"), "--base-url", base_url]),
        Peer("Pydantic AI", "async tool_plain", python + [os.path.join(peers_dir, "pydantic_ai_agent.py"), "--base-url", base_url]),
    ]
    if options.only:
        wanted = set(options.only.split(","))
        peers = [peer for peer in peers if peer.name in wanted or peer.slug in wanted]
    rows = []
    try:
        for peer in peers:
            print(f"… {peer.name}: {options.repeat} fresh processes, then {options.queries} queries in one", file=sys.stderr, flush=True)
            samples = [peer.one_query(env, workdir, attempt) for attempt in range(options.repeat)]
            checked, problems = 0, []
            for *_, stamps in samples:
                count, found = overlap_problems(stamps, peer.grouped)
                checked, problems = checked + count, problems + found
            walls, stamps = peer.many_queries(env, workdir, options.queries)
            count, found = overlap_problems(stamps, peer.grouped)
            checked, problems = checked + count, problems + found
            if len(walls) != options.queries:
                problems.append(f"{len(walls)} of {options.queries} queries reported")
            rows.append({
                "peer": peer.name, "kind": peer.kind,
                "wall_ms": statistics.median(sample[0] for sample in samples) * 1000,
                "cpu_ms": statistics.median(sample[1] for sample in samples) * 1000,
                "rss_mib": statistics.median(sample[2] for sample in samples),
                "overhead_ms": (statistics.median(walls) - WAIT) * 1000 if walls else float("nan"),
                "concurrent": f"{checked - len(problems)}/{checked}",
                "problems": problems,
            })
        fan_outs, spawn_ms = fan_out_check(options.brigade, env, cli_dir, options.spawn_baseline) if any(p.name == "Brigade (CLI)" for p in peers) else ([], None)
    finally:
        server.terminate()
        server.wait()
    print_table(rows, options)
    if spawn_ms is not None:
        tool_turns = [timing for timing in fan_outs]
        print(f"\nCLI fan-out of {CALLS} command calls (`sleep 0.2` in bash): {json.dumps(tool_turns)}")
        print(f"bare posix_spawn of {CALLS} × /bin/sleep 0.2, same run: {spawn_ms:.1f} ms (median of 5)")
    with open(os.path.join(workdir, "results.json"), "w") as handle:
        json.dump(rows, handle, indent=1)
    print(f"\nraw results: {os.path.join(workdir, 'results.json')}")
    if any(row["problems"] for row in rows):
        for row in rows:
            for problem in row["problems"]:
                print(f"{row['peer']}: {problem}", file=sys.stderr)
        sys.exit(1)


def print_table(rows, options):
    base = next((row for row in rows if row["peer"] == "Brigade (library)"), rows[0])

    def ratio(value, reference):
        return f"{value / reference:.1f}×" if reference > 0 else "—"

    print(f"\nScenario: 2 model turns, {CALLS} parallel calls of a 200 ms tool; fake OpenAI-compatible server, no model latency.")
    print(f"(a) one query in a fresh process, median of {options.repeat}; (b) median per-query time above 200 ms over {options.queries} queries in one process.\n")
    header = ["peer", "tool", "(a) wall ms", "(a) CPU ms", "(a) peak RSS MiB", "(b) overhead ms", "calls overlapped", "CPU ×", "RSS ×", "overhead ×"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join([
            row["peer"], row["kind"], f"{row['wall_ms']:.0f}", f"{row['cpu_ms']:.0f}", f"{row['rss_mib']:.1f}",
            f"{row['overhead_ms']:.1f}", row["concurrent"],
            ratio(row["cpu_ms"], base["cpu_ms"]), ratio(row["rss_mib"], base["rss_mib"]), ratio(row["overhead_ms"], base["overhead_ms"]),
        ]) + " |")
    print("\n× = the peer's value divided by Brigade (library)'s: above 1 means Brigade is ahead.")


if __name__ == "__main__":
    main()
