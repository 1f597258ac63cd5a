"""Benchmarks/Floor: the CPU floor of Brigade's batch, layer by layer (README.md here).

Started by `run`, which builds the binaries. Starts the benchmark model server (FloorRunner as
`BRIGADE_BENCH_MODEL_SERVER=1`: echoes each prompt after 50 ms, streamed), captures one real
request of Brigade's batch through a recording proxy, then runs every layer `--repeat` times,
interleaved, and prints one table of medians."""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading

LAYERS = {
    "socket": "kernel: raw sockets + epoll (C)",
    "libcurl": "libcurl multi + epoll (C)",
    "curlhttp": "CurlHTTP + SSE parser (Swift)",
    "batch": "Brigade batch (engine, agent, OpenAI client)",
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def read_until(connection, ending, buffer=b""):
    while ending not in buffer:
        data = connection.recv(65536)
        if not data:
            raise RuntimeError("connection closed before %r" % ending)
        buffer += data
    return buffer


def record_one_request(server_port, listener, captured):
    """Accepts Brigade's connection, records its first request, relays it to the model server and
    the answer back."""
    connection, _ = listener.accept()
    with connection:
        data = read_until(connection, b"\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += connection.recv(65536)
        captured.append(head + b"\r\n\r\n" + body)
        # The server answers only requests for its own host:port.
        lines = [b"Host: 127.0.0.1:%d" % server_port if line.lower().startswith(b"host:") else line for line in head.split(b"\r\n")]
        with socket.create_connection(("127.0.0.1", server_port)) as upstream:
            upstream.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            answer = read_until(upstream, b"\r\n0\r\n\r\n")
        connection.sendall(answer)
        try:
            connection.recv(65536)  # until Brigade closes (or sends no more)
        except OSError:
            pass


def capture(runner, server_port, path):
    """One batch item through Brigade, recorded; writes the request with `{ITEM}` for its number."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    captured = []
    thread = threading.Thread(target=record_one_request, args=(server_port, listener, captured), daemon=True)
    thread.start()
    base = "http://127.0.0.1:%d/v1" % listener.getsockname()[1]
    subprocess.run([runner, "batch", base, "1", "1"], check=True, stdout=subprocess.DEVNULL)
    thread.join(timeout=5)
    listener.close()
    if not captured:
        raise SystemExit("floor: the batch sent no request to the recording proxy")
    request = captured[0]
    if request.count(b"item=1") != 1:
        raise SystemExit("floor: the captured request does not hold `item=1` exactly once")
    with open(path, "wb") as file:
        file.write(request.replace(b"item=1", b"item={ITEM}"))
    return request


def server_cpu_us(pid):
    with open("/proc/%d/stat" % pid) as file:
        fields = file.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000 // os.sysconf("SC_CLK_TCK")


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("--socket-floor", required=True)
    parser.add_argument("--curl-floor", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layers", default=",".join(LAYERS))
    parser.add_argument("--show-request", action="store_true", help="print the captured request")
    options = parser.parse_args()
    layers = [layer.strip() for layer in options.layers.split(",") if layer.strip()]
    for layer in layers:
        if layer not in LAYERS:
            raise SystemExit("floor: unknown layer %s (known: %s)" % (layer, ", ".join(LAYERS)))

    environment = dict(os.environ, BRIGADE_BENCH_MODEL_SERVER="1")
    server = subprocess.Popen([options.runner], env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(server.stdout.readline())
    base = "http://127.0.0.1:%d/v1" % port
    template = os.path.join(options.work, "request.http")
    try:
        request = capture(options.runner, port, template)
        log("… captured Brigade's request (%d bytes) into %s" % (len(request), template))
        if options.show_request:
            log(request.decode("utf-8", "replace"))
        commands = {
            "socket": [options.socket_floor, str(port), template],
            "libcurl": [options.curl_floor, str(port), template],
            "curlhttp": [options.runner, "http", base, template],
            "batch": [options.runner, "batch", base],
        }
        before_load = uptime()
        results = {layer: [] for layer in layers}
        for round_index in range(options.repeat):
            # Interleaved, each round starting one layer later, so that a slow spell of the host
            # does not fall on one layer only.
            order = layers[round_index % len(layers):] + layers[:round_index % len(layers)]
            for layer in order:
                command = commands[layer] + [str(options.items), str(options.concurrency)]
                server_before = server_cpu_us(server.pid)
                finished = subprocess.run(command, capture_output=True, text=True)
                server_after = server_cpu_us(server.pid)
                if finished.returncode != 0:
                    raise SystemExit("floor: %s failed (%d): %s%s" % (layer, finished.returncode, finished.stdout, finished.stderr))
                line = json.loads(finished.stdout.strip().splitlines()[-1])
                line["server_cpu_us"] = server_after - server_before
                results[layer].append(line)
                log("… round %d %-9s %7.0f items/s  %5.0f µs CPU/item" % (
                    round_index + 1, layer, line["items"] / line["seconds"], line["cpu_us"] / line["items"]))
        after_load = uptime()
    finally:
        server.stdin.close()
        server.wait(timeout=30)

    def median(layer, key):
        return statistics.median(run[key] / run["items"] if key != "rate" else run["items"] / run["seconds"] for run in results[layer])

    floors = [median(layer, "cpu_us") for layer in ("socket", "libcurl") if layer in results]
    floor = floors[0] if floors else None
    print()
    print("%d items, concurrency %d, 50 ms model, median of %d interleaved rounds; %d cores" % (
        options.items, options.concurrency, options.repeat, os.cpu_count()))
    print("load before: %s" % before_load)
    print("load after:  %s" % after_load)
    print()
    header = "| layer | items/s | CPU µs/item | × floor | user / system µs | server CPU µs/item | CPU µs/item of each round |"
    print(header)
    print("|---|---:|---:|---:|---:|---:|---|")
    for layer in layers:
        cpu = median(layer, "cpu_us")
        rounds = ", ".join("%.0f" % (run["cpu_us"] / run["items"]) for run in results[layer])
        ratio = "%.2f" % (cpu / floor) if floor else "–"
        print("| %s | %.0f | %.0f | %s | %.0f / %.0f | %.0f | %s |" % (
            LAYERS[layer], median(layer, "rate"), cpu, ratio, median(layer, "user_us"), median(layer, "system_us"),
            median(layer, "server_cpu_us"), rounds))
    what = {"socket": "recv calls with data", "libcurl": "write callbacks (one per chunk of the chunked body)"}
    for layer in ("socket", "libcurl"):
        if layer in results and "reads" in results[layer][0]:
            print("%s: %.1f %s per item (median)" % (LAYERS[layer], median(layer, "reads"), what[layer]))
    print()
    print("× floor: CPU per item over the first of the raw-socket and libcurl layers run. Server CPU is the")
    print("model server's (10 ms ticks over the run); each layer's own CPU excludes it.")


if __name__ == "__main__":
    main()
