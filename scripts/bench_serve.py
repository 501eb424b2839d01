#!/usr/bin/env python3
"""`amisim serve` against moto's server: the same boto3 workload, side by side.

Run it with `make bench-serve`. It builds `amisim` in release mode, installs
`moto[server]` into `.tools/bench-py` when it is missing, and for each server
(a new store for amisim, a new process for moto) and each number of clients
C (1, 8 and 32) runs C client processes at once, each of which registers
N/C images, describes each, shares half of them with another account and
copies a quarter to another region, under names of its own.

The servers: amisim on SQLite with group commit (the default) and without
(`--max-group 1`); with --postgres URL (the administrative database of a
PostgreSQL server, as `scripts/postgres start` prints) the same on a new
PostgreSQL database each, and two amisim servers on one database, the
clients split between them; and moto.

It reports calls per second and p50/p99 latency of every run, and per
action for amisim on SQLite and moto. Then it kills a server with SIGKILL
under 8 clients and counts, from a new server on the same store, that every
RegisterImage answered 200 made an image that is there, with its snapshot
(`--skip-kill` leaves that out).

Everything goes to 127.0.0.1 only.

Options: --images 1000  --clients 1,8,32  --postgres URL  --skip-kill
         --binary PATH  --out FILE
"""
import argparse
import atexit
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import Server as Databases  # noqa: E402
AMISIM = os.path.join(ROOT, "target", "release", "amisim")
LOAD = None  # server/benches/load.rs, built by main()
# The key file every server of a run seals secrets under: in a folder of its
# own (a store may be a postgres:// URL, beside which no file can go).
KEYS = tempfile.mkdtemp(prefix="amisim-bench-keys-")
atexit.register(shutil.rmtree, KEYS, True)
KEY_FILE = os.path.join(KEYS, "secret.key")
CLIENT_PATH = os.path.join(ROOT, ".tools", "py")
MOTO_PATH = os.path.join(ROOT, ".tools", "bench-py")
EAST, WEST = "us-east-1", "us-west-2"
OTHER = "222222222222"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not listen")


def start_amisim(store, *extra):
    port = free_port()
    proc = subprocess.Popen(
        [AMISIM, "--store", store, "serve", "--listen", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AMISIM_KEY_FILE": KEY_FILE},
    )
    wait_listening(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def start_moto():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": MOTO_PATH}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    wait_listening(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def clients(url, account):
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 1}, max_pool_connections=4)
    made = {}
    for region in (EAST, WEST):
        made[region] = boto3.client(
            "ec2",
            region_name=region,
            endpoint_url=url,
            aws_access_key_id=account,
            aws_secret_access_key="bench",
            config=config,
        )
    return made


def workload(args):
    """One client's run: (latencies per action, calls, seconds)."""
    url, account, prefix, images = args
    sys.path.insert(0, CLIENT_PATH)
    ec2 = clients(url, account)
    times = {}

    def timed(action, f):
        start = time.perf_counter()
        out = f()
        times.setdefault(action, []).append(time.perf_counter() - start)
        return out

    east, west = ec2[EAST], ec2[WEST]
    started = time.perf_counter()
    ids = []
    for i in range(images):
        ids.append(
            timed(
                "RegisterImage",
                lambda: east.register_image(
                    Name=f"{prefix}-{i}",
                    RootDeviceName="/dev/xvda",
                    BlockDeviceMappings=[
                        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}
                    ],
                ),
            )["ImageId"]
        )
    for image in ids:
        timed("DescribeImages", lambda: east.describe_images(ImageIds=[image]))
    for image in ids[: images // 2]:
        timed(
            "ModifyImageAttribute",
            lambda: east.modify_image_attribute(
                ImageId=image, LaunchPermission={"Add": [{"UserId": OTHER}]}
            ),
        )
    for n, image in enumerate(ids[: images // 4]):
        timed(
            "CopyImage",
            lambda: west.copy_image(
                SourceImageId=image, SourceRegion=EAST, Name=f"{prefix}-copy-{n}"
            ),
        )
    seconds = time.perf_counter() - started
    return times, sum(len(t) for t in times.values()), seconds


def run(urls, images, count, tag):
    """`count` clients at once (server/benches/load.rs: raw keep-alive
    connections, so the figures are the server's), spread over the servers
    at `urls`: (latencies per action in seconds, calls per second)."""
    out = subprocess.run(
        [LOAD, ",".join(urls), str(count), str(images), tag],
        check=True, capture_output=True, text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    times = {action: [t / 1000 for t in ts] for action, ts in result["times"].items()}
    return times, result["rate"]


def boto3_run(url, images, count):
    """`count` boto3 client processes at once: calls per second."""
    with multiprocessing.Pool(count) as pool:
        started = time.perf_counter()
        many = pool.map(
            workload,
            [(url, f"5{count:05d}{n:06d}", f"boto-{count}-{n}", max(1, images // count)) for n in range(count)],
        )
        wall = time.perf_counter() - started
    return sum(m[1] for m in many) / wall


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def register_until_killed(args):
    """Registers images until the server goes away; the IDs answered 200."""
    url, account, prefix, path = args
    sys.path.insert(0, CLIENT_PATH)
    east = clients(url, account)[EAST]
    answered = []
    with open(path, "w") as out:
        for i in range(100_000):
            try:
                image = east.register_image(Name=f"{prefix}-{i}")["ImageId"]
            except Exception:
                break
            out.write(image + "\n")
            out.flush()
            answered.append(image)
    return answered


def kill_under_load(count, seconds):
    """Kills amisim serve with SIGKILL under `count` clients; the counts."""
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "cloud.db")
        proc, url = start_amisim(store)
        paths = [os.path.join(tmp, f"answered-{n}") for n in range(count)]
        with multiprocessing.Pool(count) as pool:
            pending = pool.map_async(
                register_until_killed,
                [(url, f"4444444444{n:02d}", f"kill{n}", paths[n]) for n in range(count)],
            )
            time.sleep(seconds)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            answered = [i for ids in pending.get(timeout=120) for i in ids]
        proc, url = start_amisim(store)
        missing = 0
        try:
            sys.path.insert(0, CLIENT_PATH)
            for n in range(count):
                east = clients(url, f"4444444444{n:02d}")[EAST]
                found = {}
                for page in east.get_paginator("describe_images").paginate(Owners=["self"]):
                    for image in page["Images"]:
                        found[image["ImageId"]] = image
                snapshots = {
                    s["SnapshotId"]
                    for page in east.get_paginator("describe_snapshots").paginate(OwnerIds=["self"])
                    for s in page["Snapshots"]
                }
                ids = [line.strip() for line in open(paths[n]) if line.strip()]
                missing += sum(1 for i in ids if i not in found)
                half = [
                    i
                    for i, image in found.items()
                    if image["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"] not in snapshots
                ]
                missing += len(half)
        finally:
            proc.terminate()
            proc.wait()
        return len(answered), missing


def report(results, images, counts, kill, boto):
    lines = []
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    lines.append(f"Measured {time.strftime('%Y-%m-%d')} on {machine}; {images} images per run.\n")
    lines.append("| server | clients | calls/s | p50 / p99 (ms) | calls/s against moto's |")
    lines.append("|---|---:|---:|---:|---:|")
    for name, runs in results.items():
        for count in counts:
            times, rate = runs[count]
            every = [t for ts in times.values() for t in ts]
            moto = results["moto"][count][1]
            lines.append(
                f"| {name} | {count} | {rate:.0f} | {quantile(every, 0.5):.1f} / {quantile(every, 0.99):.1f} "
                f"| {rate / moto:.1f}x |"
            )
    lines.append("")
    first = next(iter(results))
    lines.append(f"| action, clients | {first} p50 / p99 (ms) | moto p50 / p99 (ms) |")
    lines.append("|---|---:|---:|")
    for count in counts:
        for action in ("RegisterImage", "DescribeImages", "ModifyImageAttribute", "CopyImage"):
            a = results[first][count][0][action]
            m = results["moto"][count][0][action]
            lines.append(
                f"| {action}, {count} | {quantile(a, 0.5):.1f} / {quantile(a, 0.99):.1f} "
                f"| {quantile(m, 0.5):.1f} / {quantile(m, 0.99):.1f} |"
            )
    lines.append("")
    lines.append("| with boto3 clients (processes on the same cores) | amisim, SQLite calls/s | moto calls/s | ratio |")
    lines.append("|---|---:|---:|---:|")
    for c in (1, 8):
        a, m = boto["amisim, SQLite"][c], boto["moto"][c]
        lines.append(f"| {c} client{'s' if c > 1 else ''} | {a:.0f} | {m:.0f} | {a / m:.1f}x |")
    if kill:
        answered, missing = kill
        lines.append("")
        lines.append(
            f"SIGKILL under 8 clients: {answered} RegisterImage calls answered 200, "
            f"{missing} of them missing or without their snapshot after a restart."
        )
    return "\n".join(lines) + "\n"


def stopped(procs):
    for proc in procs:
        proc.terminate()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--postgres", help="the administrative URL of a PostgreSQL server")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--binary", help="an amisim binary to use instead of a release build")
    parser.add_argument("--out")
    args = parser.parse_args()
    global AMISIM
    if args.binary:
        AMISIM = os.path.abspath(args.binary)
    elif not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "amisim-cli"], cwd=ROOT, check=True)
    global LOAD
    built = subprocess.run(
        ["cargo", "bench", "-p", "amisim-server", "--bench", "load", "--no-run", "--message-format", "json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    LOAD = [json.loads(l)["executable"] for l in built.splitlines()
            if '"executable":"' in l and json.loads(l).get("target", {}).get("name") == "load"][0]
    if not os.path.isdir(os.path.join(MOTO_PATH, "moto")):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--target", MOTO_PATH, "moto[server]"],
            check=True,
        )
    counts = [int(c) for c in args.clients.split(",")]
    setups = [("amisim, SQLite", "sqlite", 1, ()), ("amisim, SQLite, no group commit", "sqlite", 1, ("--max-group", "1"))]
    if args.postgres:
        setups += [
            ("amisim, PostgreSQL", "postgres", 1, ()),
            ("amisim, PostgreSQL, no group commit", "postgres", 1, ("--max-group", "1")),
            ("two amisim servers, one PostgreSQL", "postgres", 2, ()),
        ]
    databases = Databases(args.postgres) if args.postgres else None
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n, (name, backend, servers, extra) in enumerate(setups):
                store = os.path.join(tmp, f"cloud-{n}.db") if backend == "sqlite" else databases.database()
                procs, urls = [], []
                try:
                    for _ in range(servers):
                        proc, url = start_amisim(store, *extra)
                        procs.append(proc)
                        urls.append(url)
                    results[name] = {c: run(urls, args.images, c, str(n)) for c in counts}
                    print(name, {c: round(r[1]) for c, r in results[name].items()}, flush=True)
                finally:
                    stopped(procs)
    finally:
        if databases:
            databases.drop_all()
    proc, url = start_moto()
    try:
        results["moto"] = {c: run([url], args.images, c, "9") for c in counts}
        boto = {"moto": {c: boto3_run(url, args.images, c) for c in (1, 8)}}
    finally:
        stopped([proc])
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_amisim(os.path.join(tmp, "boto.db"))
        try:
            boto["amisim, SQLite"] = {c: boto3_run(url, args.images, c) for c in (1, 8)}
        finally:
            stopped([proc])
    kill = None if args.skip_kill else kill_under_load(8, 3)
    text = report(results, args.images, counts, kill, boto)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
