#!/usr/bin/python3
"""The cross-process benchmark: this toolkit's `p2p perf` beside iperf3, a raw TCP ping-pong and
js-libp2p's perf (plaintext and Noise), each as a server process and a client process on loopback.

    /usr/bin/python3 bench/crossprocess.py --node NODE [--rounds 3] [--quick]
        [--only p2p,p2p-noise,iperf3,raw,js-plaintext,js-noise] [--out FILE]

Normally started by bench/crossprocess.sh, which builds the jars, installs iperf3 and js-libp2p
and passes --node. Standard library only.

Tools and measurements (every one a FRESH server and client pair on a free port):
  p2p           the plaintext protocol (--plaintext, beside js-libp2p's plaintext; --no-lz4):
                first run (100 MiB each way, no warm-up), warm throughput (1 GiB each way, four
                warm-up runs then 3 measured, the round's figure is their median), latency (20000
                echoes after one unreported warm-up round) with setup between warm nodes
                (1000 connections after 1000 unreported)
  p2p-noise     the same over the secure channel (protocol v2, the default: Noise XX, AES-GCM records)
  iperf3        1 GiB upload (-n 1G), 1 GiB download (-n 1G -R), one stream
  raw           TCP ping-pong of 30 bytes (RawPingPong), 20000 samples after 20000 unreported
  js-plaintext  js-libp2p with plaintext + yamux: first run, warm throughput, echo latency (as p2p)
  js-noise      the same over Noise
Sizes with --quick: 16 MiB, 200 latency samples, 20 setup samples, one round (a smoke test: the
figures mean nothing).

Rounds alternate the tools by rotation: round 1 runs A B C D E, round 2 B C D E A, round 3
C D E A B, and so on, so that over five rounds each tool runs once in each position; within a
tool the order is fixed (first run, throughput, latency). The figure of a tool is the median of
its rounds; every round's figure and every client's whole JSON are in the report too.

A server is ready when it says so (p2p and raw print "listening on HOST:PORT", js prints its
multiaddr as JSON) or, for iperf3, when its port shows as listening in /proc/net/tcp (a probe
connection would count as iperf3's one test). Servers stop with SIGTERM, then SIGKILL after
5 s; every process runs in its own process group, which is killed whatever happens.

The report (JSON) goes to --out, default bench/results/crossprocess-<UTC time>.json, rewritten
after every round; bench/plot_crossprocess.py draws it. A summary table with ratios ends the run.
Exit code: 0 when every measurement gave its figures, 1 when some failed (they are in the report
and the summary), 2 for bad arguments.
"""
import argparse
import datetime
import json
import os
import platform
import queue
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
P2P_JAR = "cli/target/p2p.jar"
P2P_LAUNCHER = "./p2p"
BENCH_JAR = "bench/target/benchmarks.jar"
PERF_JS = "bench/js/perf.mjs"
HOST = "127.0.0.1"
TOOLS = ["p2p", "p2p-noise", "iperf3", "raw", "js-plaintext", "js-noise"]

SERVER_READY_SECONDS = 30
STOP_GRACE_SECONDS = 5

FULL = {"throughput": "1GiB", "throughput_iperf3": "1G", "throughput_mib": 1024, "first_run": "100MiB",
        "first_run_mib": 100, "latency_samples": 20000, "raw_warmup": 20000, "setup_samples": 1000}
QUICK = {"throughput": "16MiB", "throughput_iperf3": "16M", "throughput_mib": 16, "first_run": "16MiB",
         "first_run_mib": 16, "latency_samples": 200, "raw_warmup": 200, "setup_samples": 20}


# ------------------------------------------------------------------------------------------ processes

LIVE = set()  # the Popen objects still to be killed


def spawn(argv, **kwargs):
    proc = subprocess.Popen(argv, cwd=ROOT, start_new_session=True, text=True, **kwargs)
    LIVE.add(proc)
    return proc


def kill(proc, grace=STOP_GRACE_SECONDS):
    """SIGTERM to the process group, SIGKILL after `grace` seconds; always reaps the process."""
    try:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(proc, signal.SIGKILL)  # anything left in its group
        proc.wait()
    finally:
        LIVE.discard(proc)


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Server:
    """A server process whose stdout and stderr are drained by threads (kept for the report)."""

    def __init__(self, argv):
        self.argv = argv
        self.lines = queue.Queue()
        self.stdout = []
        self.stderr = []
        self.proc = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.drains = [threading.Thread(target=self._drain, args=args, daemon=True)
                       for args in ((self.proc.stdout, self.stdout, self.lines), (self.proc.stderr, self.stderr, None))]
        for t in self.drains:
            t.start()

    @staticmethod
    def _drain(stream, keep, lines):
        for line in stream:
            keep.append(line.rstrip("\n"))
            if lines is not None:
                lines.put(line)

    def wait_line(self, parse, timeout=SERVER_READY_SECONDS):
        """Waits for the first stdout line that `parse` turns into a value, and returns it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"server not ready within {timeout} s{self.tail()}")
            try:
                line = self.lines.get(timeout=min(left, 0.2))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with code {self.proc.returncode}{self.tail()}")
                continue
            value = parse(line.strip())
            if value is not None:
                return value

    def wait_listening(self, port, timeout=SERVER_READY_SECONDS):
        deadline = time.monotonic() + timeout
        while not listening(port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with code {self.proc.returncode}{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not listening within {timeout} s{self.tail()}")
            time.sleep(0.02)

    def tail(self, n=10):
        out = (self.stdout + self.stderr)[-n:]
        return (": " + " | ".join(out)) if out else ""

    def stop(self):
        kill(self.proc)
        for t in self.drains:
            t.join(2)  # its last lines, for the report


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def listening(port):
    """Whether some socket listens on `port` (state 0A in /proc/net/tcp or tcp6)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for row in f:
                    fields = row.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            continue
    return False


def run_client(argv, timeout):
    """Runs a client to its end or `timeout`; returns (exit code or None on time-out, stdout, stderr)."""
    proc = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        kill(proc)
        out, err = proc.communicate()
        return None, out, err
    finally:
        kill(proc)


# ------------------------------------------------------------------------------------- measurements

def p2p_server(secure):
    # Through the launcher, as a user runs it: its class-data archive and JVM options included.
    return lambda port: [P2P_LAUNCHER, "perf", "server", "--host", HOST, "--port", str(port), "--no-lz4",
                         *([] if secure else ["--plaintext"])]


def p2p_client(secure, target, *args):
    return [P2P_LAUNCHER, "perf", "client",
            "--server", target, "--no-lz4", *([] if secure else ["--plaintext"]), *args, "--json"]


def js_server(node, security):
    return lambda port: [node, PERF_JS, "server", "--host", HOST, "--port", str(port), "--security", security]


def js_client(node, security, *args):
    return lambda target: [node, PERF_JS, "client", "--server", target, "--security", security, *args, "--json"]


def raw_server(port):
    return ["java", "-cp", BENCH_JAR, "io.reactivep2p.transport.RawPingPong", "server", "--host", HOST,
            "--port", str(port)]


def raw_client(target, samples, warmup):
    return ["java", "-cp", BENCH_JAR, "io.reactivep2p.transport.RawPingPong", "client", "--server", target,
            "--samples", str(samples), "--warmup", str(warmup), "--size", "30", "--json"]


def iperf3_server(port):
    return ["iperf3", "-s", "-1", "-p", str(port), "-B", HOST]


def iperf3_client(port, size, reverse):
    return ["iperf3", "-c", HOST, "-p", str(port), "-n", size, "-J"] + (["-R"] if reverse else [])


def listening_line(line):
    """'listening on 127.0.0.1:4001' (p2p perf server, RawPingPong) -> '127.0.0.1:4001'."""
    return line.split("listening on ", 1)[1].split()[0] if line.startswith("listening on ") else None


def multiaddr_line(line):
    try:
        return json.loads(line).get("multiaddr")
    except (ValueError, AttributeError):
        return None


class Spec:
    """One measurement: how to start its server, when it is ready, its client, and its figures."""

    def __init__(self, tool, kind, server, ready, client, timeout, figures):
        self.tool, self.kind, self.server, self.ready = tool, kind, server, ready
        self.client, self.timeout, self.figures = client, timeout, figures


def specs(tool, node, s):
    """The measurements of `tool`, in their order, with the sizes `s` (FULL or QUICK)."""

    # Client time-outs: a minute plus 0.1 s per MiB moved (80 Mbit/s at worst), or 5 ms per round trip.
    def moved(mib_each_way, runs):
        return 60 + 0.1 * 2 * mib_each_way * runs

    def round_trips(n):
        return 60 + 0.005 * n

    thr, first, lat = s["throughput"], s["first_run"], str(s["latency_samples"])
    if tool in ("p2p", "p2p-noise"):
        secure = tool == "p2p-noise"
        return [
            Spec(tool, "first-run", p2p_server(secure), listening_line,
                 lambda t: p2p_client(secure, t, "--upload", first, "--download", first, "--latency-samples", "0",
                                      "--warmup", "0", "--repeat", "1"),
                 moved(s["first_run_mib"], 1), first_run_figures),
            Spec(tool, "throughput", p2p_server(secure), listening_line,
                 lambda t: p2p_client(secure, t, "--upload", thr, "--download", thr, "--latency-samples", "0",
                                      "--warmup", "4", "--repeat", "3"),
                 moved(s["throughput_mib"], 7), throughput_figures),
            Spec(tool, "latency", p2p_server(secure), listening_line,
                 lambda t: p2p_client(secure, t, "--upload", "0", "--download", "0", "--latency-samples", lat,
                                      "--warmup", "1", "--repeat", "1", "--setup-samples", str(s["setup_samples"])),
                 round_trips(2 * s["latency_samples"]) + 0.5 * s["setup_samples"], p2p_latency_figures),
        ]
    if tool == "iperf3":
        return [
            Spec(tool, "upload", iperf3_server, None, lambda port: iperf3_client(port, s["throughput_iperf3"], False),
                 moved(s["throughput_mib"], 1), lambda j: iperf3_figures(j, "upload")),
            Spec(tool, "download", iperf3_server, None, lambda port: iperf3_client(port, s["throughput_iperf3"], True),
                 moved(s["throughput_mib"], 1), lambda j: iperf3_figures(j, "download")),
        ]
    if tool == "raw":
        return [Spec(tool, "latency", raw_server, listening_line,
                     lambda t: raw_client(t, s["latency_samples"], s["raw_warmup"]),
                     round_trips(s["latency_samples"] + s["raw_warmup"]), latency_figures)]
    security = tool.split("-", 1)[1]
    return [
        Spec(tool, "first-run", js_server(node, security), multiaddr_line,
             js_client(node, security, "--upload", first, "--download", first, "--latency-samples", "0",
                       "--warmup", "0", "--repeat", "1"),
             moved(s["first_run_mib"], 1), first_run_figures),
        Spec(tool, "throughput", js_server(node, security), multiaddr_line,
             js_client(node, security, "--upload", thr, "--download", thr, "--latency-samples", "0",
                       "--warmup", "4", "--repeat", "3"),
             moved(s["throughput_mib"], 7), throughput_figures),
        Spec(tool, "latency", js_server(node, security), multiaddr_line,
             js_client(node, security, "--upload", "0", "--download", "0", "--latency-samples", lat,
                       "--warmup", "0", "--repeat", "0"),
             round_trips(s["latency_samples"]), latency_figures),
    ]


def measure(spec, round_no):
    """Runs one measurement with a fresh server and client; failures go into 'error' (only an
    interruption of this script is raised, once both processes are killed)."""
    port = free_port()
    server_argv = spec.server(port)
    m = {"tool": spec.tool, "kind": spec.kind, "round": round_no, "server_command": shlex.join(server_argv),
         "client_command": None, "exit_code": None, "seconds": None, "json": None, "figures": {}, "error": None}
    server = None
    started = time.monotonic()
    try:
        server = Server(server_argv)
        if spec.ready is None:
            server.wait_listening(port)
            target = port
        else:
            target = server.wait_line(spec.ready)
        client_argv = spec.client(target)
        m["client_command"] = shlex.join(client_argv)
        code, out, err = run_client(client_argv, spec.timeout)
        m["exit_code"] = code
        m["json"] = parse_json(out)
        if code is None:
            m["error"] = f"client timed out after {spec.timeout:g} s"
        elif code != 0:
            m["error"] = f"client exit code {code}"
        elif m["json"] is None:
            m["error"] = "no JSON on the client's stdout"
        if m["error"] is not None:
            detail = " | ".join((err or out or "").strip().splitlines()[-5:])
            if isinstance(m["json"], dict) and m["json"].get("error"):
                detail = str(m["json"]["error"])  # iperf3 -J reports its failure in its JSON
            m["error"] += (": " + detail) if detail else ""
        elif err.strip():
            m["client_stderr"] = err.strip().splitlines()[-10:]
        if isinstance(m["json"], dict):
            m["figures"] = spec.figures(m["json"])
    except Exception as e:  # a server that fails to start: recorded, the run goes on
        m["error"] = str(e) if isinstance(e, RuntimeError) else f"{type(e).__name__}: {e}"
    finally:
        if server is not None:
            server.stop()
            m["server_exit_code"] = server.proc.returncode
            m["server_output"] = (server.stdout + server.stderr)[-20:]
        m["seconds"] = round(time.monotonic() - started, 3)
    return m


def parse_json(out):
    """The client's report: its whole stdout (iperf3 -J), else its last line that is a JSON object."""
    out = (out or "").strip()
    try:
        return json.loads(out)
    except ValueError:
        pass
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


# ------------------------------------------------------------------------------------------ figures

def get(obj, *path):
    """obj[path[0]][path[1]]..., or None where a level is missing or not a number at the end."""
    for key in path:
        if isinstance(obj, dict):
            obj = obj.get(key)
        elif isinstance(obj, list) and isinstance(key, int) and -len(obj) <= key < len(obj):
            obj = obj[key]
        else:
            return None
    return obj


def number(obj, *path):
    v = get(obj, *path)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def run_values(j, direction):
    runs = get(j, "runs")
    return [number(r, direction, "gbitPerSecond") for r in runs] if isinstance(runs, list) else []


def throughput_figures(j):
    f = {}
    for d in ("upload", "download"):
        runs = run_values(j, d)
        # p2p reports the median of its measured runs at the top; js only the runs.
        top = number(j, d, "gbitPerSecond")
        f[f"throughput.{d}_gbps"] = top if top is not None else median(runs)
        f[f"throughput.{d}_runs_gbps"] = runs
    return f


def first_run_figures(j):
    f = {}
    for d in ("upload", "download"):
        runs = run_values(j, d)
        f[f"first_run.{d}_gbps"] = runs[0] if runs and runs[0] is not None else number(j, d, "gbitPerSecond")
    f["first_run.setup_ms"] = number(j, "setupMillis")
    f["first_run.start_to_first_byte_ms"] = number(j, "processStartToFirstByteMillis")
    f["first_run.ttfb_ms"] = number(j, "runs", 0, "ttfbMillis")
    return f


def latency_figures(j):
    lat = j.get("latency") if "latency" in j else j  # RawPingPong prints its percentiles at the top
    f = {f"latency.{k}_us": number(lat, f"{k}Micros") for k in ("p50", "p90", "p99", "p999", "max")}
    f["latency.samples"] = number(lat, "samples")
    return f


def p2p_latency_figures(j):
    """The latency, and the setup between warm nodes that the same invocation measures."""
    f = latency_figures(j)
    for k in ("p50", "p90", "p99", "max"):
        f[f"setup.{k}_ms"] = number(j, "setup", f"{k}Millis")
    f["setup.samples"] = number(j, "setup", "samples")
    return f


def iperf3_figures(j, direction):
    # The receiver's rate: what arrived (for -R the client is the receiver).
    received = number(j, "end", "sum_received", "bits_per_second")
    sent = number(j, "end", "sum_sent", "bits_per_second")
    return {f"throughput.{direction}_gbps": None if received is None else received / 1e9,
            f"throughput.{direction}_sender_gbps": None if sent is None else sent / 1e9}


# Figures the summary needs, per tool: a missing one is noted.
EXPECTED = {
    "p2p": ["throughput.upload_gbps", "throughput.download_gbps", "first_run.upload_gbps", "first_run.download_gbps",
            "first_run.setup_ms", "first_run.start_to_first_byte_ms", "latency.p50_us", "latency.p99_us",
            "setup.p50_ms", "setup.p99_ms"],
    "iperf3": ["throughput.upload_gbps", "throughput.download_gbps"],
    "raw": ["latency.p50_us", "latency.p99_us"],
    "js-plaintext": ["throughput.upload_gbps", "throughput.download_gbps", "first_run.upload_gbps",
                     "first_run.download_gbps", "first_run.setup_ms", "first_run.start_to_first_byte_ms",
                     "latency.p50_us", "latency.p99_us"],
}
EXPECTED["js-noise"] = EXPECTED["js-plaintext"]
EXPECTED["p2p-noise"] = EXPECTED["p2p"]


def missing(m):
    """The figures the summary needs that a measurement without error did not give."""
    if m["error"]:
        return []
    return [name for name, value in m["figures"].items() if value is None and name in EXPECTED[m["tool"]]]


def aggregate(measurements, tools, rounds):
    """Per tool and figure: the value of every round (None where missing) and their median."""
    figures, notes = {}, []
    for tool in tools:
        per = {}
        for m in (m for m in measurements if m["tool"] == tool):
            if m["error"]:
                notes.append(f"{tool} {m['kind']} round {m['round']}: {m['error']}")
            for name in missing(m):
                notes.append(f"{tool} {m['kind']} round {m['round']}: {name} missing from the client's JSON")
            for name, value in m["figures"].items():
                if not isinstance(value, list):
                    per.setdefault(name, [None] * rounds)[m["round"] - 1] = value
        figures[tool] = {name: {"median": median(values), "rounds": values} for name, values in sorted(per.items())}
    return figures, notes


def ratio(a, b):
    return a / b if a is not None and b else None


# The ratios of the summary: name, numerator (tool, figure), denominator (tool, figure).
RATIOS = [(f"p2p/{other} {d}", ("p2p", f"throughput.{d}_gbps"), (other, f"throughput.{d}_gbps"))
          for other in ("iperf3", "js-plaintext", "js-noise") for d in ("upload", "download")] \
    + [(f"p2p/raw latency {p}", ("p2p", f"latency.{p}_us"), ("raw", f"latency.{p}_us")) for p in ("p50", "p99")] \
    + [(f"{js} echo/p2p latency p50", (js, "latency.p50_us"), ("p2p", "latency.p50_us"))
       for js in ("js-plaintext", "js-noise")] \
    + [(f"p2p-noise/p2p {d}", ("p2p-noise", f"throughput.{d}_gbps"), ("p2p", f"throughput.{d}_gbps"))
       for d in ("upload", "download")] \
    + [(f"p2p-noise/js-noise {d}", ("p2p-noise", f"throughput.{d}_gbps"), ("js-noise", f"throughput.{d}_gbps"))
       for d in ("upload", "download")] \
    + [("p2p-noise/p2p latency p50", ("p2p-noise", "latency.p50_us"), ("p2p", "latency.p50_us")),
       ("js-noise echo/p2p-noise latency p50", ("js-noise", "latency.p50_us"), ("p2p-noise", "latency.p50_us"))]


def ratios(figures):
    """The ratios of the medians, for the pairs of tools that ran (None where a figure is missing)."""
    return {name: ratio(get(figures, a[0], a[1], "median"), get(figures, b[0], b[1], "median"))
            for name, a, b in RATIOS if a[0] in figures and b[0] in figures}


# ------------------------------------------------------------------------------------------- report

def first_line(argv, stream="stdout"):
    try:
        code, out, err = run_client(argv, 30)
    except OSError:
        return None
    text = (out if stream == "stdout" else err).strip()
    return text.splitlines()[0] if code is not None and text else None


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), None)
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"cpu": cpu or platform.processor() or None, "cores": os.cpu_count(), "kernel": platform.release(),
            "load_average_1m_at_start": load}


def header(args, sizes, tools):
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    m = machine()
    # The launcher's java: JAVA_HOME's when set (as ./p2p does), else the one on the PATH.
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home and os.access(os.path.join(java_home, "bin", "java"), os.X_OK) else "java"
    m["jdk"] = first_line([java, "-version"], "stderr")
    templates = {}
    for tool in tools:
        for spec in specs(tool, args.node, sizes):
            templates[f"{tool} {spec.kind}"] = {
                "server": shlex.join(spec.server("PORT")),
                "client": shlex.join(spec.client("PORT" if spec.ready is None else
                                                 ("MULTIADDR" if spec.ready is multiaddr_line else f"{HOST}:PORT")))}
    return {
        "benchmark": "crossprocess",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": m,
        "versions": {"jdk": m["jdk"], "node": first_line([args.node, "--version"]) if args.node else None,
                     "iperf3": first_line(["iperf3", "--version"])},
        "git": {"commit": first_line(["git", "rev-parse", "--short", "HEAD"]),
                "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None},
        "settings": {"rounds": args.rounds, "quick": args.quick, "tools": tools, "sizes": sizes,
                     "order": "rotation: round r runs the tools starting at the r-th, wrapping around"},
        "command": shlex.join([sys.executable, os.path.relpath(os.path.abspath(__file__), ROOT)] + sys.argv[1:]),
        "commands": templates,
    }


def write(report, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


COLUMNS = [  # title, width, figure, decimals
    ("warm up", 9, "throughput.upload_gbps", 2), ("warm down", 10, "throughput.download_gbps", 2),
    ("1st up", 8, "first_run.upload_gbps", 2), ("1st down", 9, "first_run.download_gbps", 2),
    ("1st setup", 10, "first_run.setup_ms", 1), ("start→1st B", 12, "first_run.start_to_first_byte_ms", 0),
    ("lat p50", 9, "latency.p50_us", 1), ("lat p99", 9, "latency.p99_us", 1),
    ("setup p50", 10, "setup.p50_ms", 2), ("setup p99", 10, "setup.p99_ms", 2)]


def summary(report):
    m, v, git, settings = report["machine"], report["versions"], report["git"], report["settings"]
    lines = [f'cross-process benchmark, {report["date"]}Z, {m["cpu"]}, {m["cores"]} cores, {m["jdk"]}, '
             f'Node {v["node"]}, {v["iperf3"]}, git {git["commit"]}{" (dirty)" if git["dirty"] else ""}, '
             f'{settings["rounds"]} round(s)' + (", QUICK: the figures mean nothing" if settings["quick"] else ""),
             "",
             "Medians over the rounds. Gbit/s: warm = median of 3 runs after four warm-up runs, 1st = fresh processes;",
             "ms: 1st setup (dial to handshake done), start→1st B (process start to first byte), setup p50/p99",
             "between warm nodes; µs: round-trip latency.",
             ""]
    head = f'{"tool":<13}' + "".join(f"{title:>{width}}" for title, width, _, _ in COLUMNS)
    lines += [head, "-" * len(head)]
    for tool in settings["tools"]:
        lines.append(f"{tool:<13}" + "".join(f'{fmt(get(report["figures"], tool, name, "median"), digits):>{width}}'
                                             for _, width, name, digits in COLUMNS))
    if report["ratios"]:
        lines += ["", "ratios of the medians:"]
        lines += [f"  {name:<34}{fmt(value, 3)}" for name, value in report["ratios"].items()]
    if report["notes"]:
        lines += ["", "notes:"] + [f"  {n}" for n in report["notes"]]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description="The cross-process benchmark (see the module's docstring).")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round: a smoke test")
    parser.add_argument("--only", default=",".join(TOOLS), help="tools to run, comma-separated: " + ",".join(TOOLS))
    parser.add_argument("--out", default=None, help="the JSON report (default bench/results/crossprocess-<UTC>.json)")
    parser.add_argument("--node", default=os.environ.get("NODE"), help="the Node binary for js (bench/js/setup.sh)")
    args = parser.parse_args()
    tools = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or not tools:
        parser.error(f"--only: unknown tool(s) {', '.join(unknown) or '(none)'}; choose among {', '.join(TOOLS)}")
    tools = [t for t in TOOLS if t in tools]  # the canonical order A B C D E
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if any(t.startswith("js-") for t in tools) and not args.node:
        parser.error("js needs --node NODE (or NODE=...), the binary bench/js/setup.sh prints")
    if args.node and os.path.isabs(args.node) and args.node.startswith(ROOT + os.sep):
        args.node = os.path.relpath(args.node, ROOT)  # shorter command lines in the report
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = os.path.abspath(args.out or os.path.join(ROOT, "bench", "results", f"crossprocess-{stamp}.json"))
    os.makedirs(os.path.dirname(out), exist_ok=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    sizes = QUICK if args.quick else FULL
    report = header(args, sizes, tools)
    report.update({"rounds": [], "measurements": [], "figures": {}, "ratios": {}, "notes": []})
    started = time.monotonic()
    done = False

    def save():
        report["figures"], report["notes"] = aggregate(report["measurements"], tools, args.rounds)
        report["ratios"] = ratios(report["figures"])
        report["seconds"] = round(time.monotonic() - started, 1)
        report["complete"] = done
        write(report, out)

    try:
        for r in range(1, args.rounds + 1):
            order = tools[(r - 1) % len(tools):] + tools[:(r - 1) % len(tools)]
            report["rounds"].append({"round": r, "order": order})
            print(f"round {r}/{args.rounds}: {' '.join(order)}", file=sys.stderr, flush=True)
            for tool in order:
                for spec in specs(tool, args.node, sizes):
                    m = measure(spec, r)
                    report["measurements"].append(m)
                    print(progress(m), file=sys.stderr, flush=True)
            done = r == args.rounds
            save()  # after every round: an interrupted run keeps what it measured
    finally:
        for proc in list(LIVE):
            kill(proc)
        if not done and report["measurements"]:
            save()
            print(f"interrupted: the report so far is in {out}", file=sys.stderr)
    print(summary(report))
    shown = os.path.relpath(out)
    print(f"\nreport: {out if shown.startswith('..') else shown} ({report['seconds']:.0f} s)")
    return 1 if any(m["error"] for m in report["measurements"]) else 0


def progress(m):
    """One line per measurement while the run goes on."""
    if m["error"]:
        what = f"FAILED: {m['error']}"
    else:
        main = next(iter(m["figures"]), "").split(".")[0]  # its family of figures: named without the prefix
        what = " ".join(f"{k.split('.', 1)[1] if k.startswith(main + '.') else k}={v:.4g}"
                        for k, v in m["figures"].items() if v is not None and not isinstance(v, list))
    return f"  {m['tool']:<13}{m['kind']:<11}{m['seconds']:7.1f} s  {what}"


if __name__ == "__main__":
    sys.exit(main())
