#!/usr/bin/env python3
"""The amisim benchmark suite: amisim under Terraform against Terraform's own floor.

Run it with `make bench` (after `make demo` or `scripts/setup`). It builds the
provider in release mode, then for each N it alternates the amisim
configuration and the same N of Terraform's built-in `terraform_data`, so that
both see the same machine noise, and reports medians and the ratio of each
pair. It also measures the provider process (time to the handshake line,
peak memory during the largest apply, binary size) and runs the simulator's
own benchmark (`cargo bench -p amisim-simulator --bench ops`).

With --postgres URL (the administrative database of a PostgreSQL server, as
`scripts/postgres url` prints), it also measures the shared cloud: the
largest image run on PostgreSQL beside the same run on SQLite and
terraform_data, alternated; 8 working folders of 8 claimed accounts, each
sharing with the next, applying at once on one PostgreSQL store (then every
folder must plan empty and the store must hold every image and permission
exactly once); and the simulator's `backends` benchmark.

Options: --sizes 10,100,1000  --repeat 3  --parallelism 10  --skip-simulator
         --postgres URL  --only-postgres (skip the SQLite-only rows)
         --out FILE (write the Markdown report there as well as to stdout)
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
PROVIDER = os.path.join(RELEASE, "terraform-provider-amisim")
AMISIM = os.path.join(RELEASE, "amisim")
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

REQUIRED = """terraform {
  required_providers {
    amisim = { source = "amisim/amisim" }
  }
}
"""


def images(n):
    return REQUIRED + f"""
provider "amisim" {{}}
resource "amisim_image" "x" {{
  count = {n}
  name  = "image-${{count.index}}"
}}
"""


def keys(n):
    """A resource with few attributes, to show how Terraform's own work grows with state size."""
    return REQUIRED + f"""
provider "amisim" {{}}
resource "amisim_kms_key" "x" {{
  count       = {n}
  description = "key-${{count.index}}"
}}
"""


def floor(n):
    return f"""
resource "terraform_data" "x" {{
  count = {n}
  input = "image-${{count.index}}"
}}
"""


def mixed(n):
    """n/10 groups of: image, cross-region copy, copy by another account, share, instance."""
    groups = max(1, n // 10)
    return REQUIRED + f"""
provider "amisim" {{
  account_id = "111111111111"
  region     = "us-east-1"
}}
provider "amisim" {{
  alias      = "west"
  account_id = "111111111111"
  region     = "eu-west-1"
}}
provider "amisim" {{
  alias      = "b"
  account_id = "222222222222"
  region     = "us-east-1"
}}
provider "amisim" {{
  alias      = "b_west"
  account_id = "222222222222"
  region     = "eu-west-1"
}}
resource "amisim_image" "src" {{
  count = {groups}
  name  = "src-${{count.index}}"
}}
resource "amisim_image_copy" "dr" {{
  count         = {groups}
  provider      = amisim.west
  source_ami_id = amisim_image.src[count.index].id
  source_region = "us-east-1"
  name          = "dr-${{count.index}}"
}}
resource "amisim_launch_permission" "b" {{
  count      = {groups}
  image_id   = amisim_image.src[count.index].id
  account_id = "222222222222"
}}
resource "amisim_storage_permission" "b" {{
  count      = {groups}
  storage_id = amisim_image.src[count.index].storage_ids[0]
  account_id = "222222222222"
}}
resource "amisim_image_copy" "b" {{
  count         = {groups}
  provider      = amisim.b
  source_ami_id = amisim_image.src[count.index].id
  source_region = "us-east-1"
  name          = "b-${{count.index}}"
  depends_on    = [amisim_launch_permission.b, amisim_storage_permission.b]
}}
resource "amisim_instance" "b_west" {{
  count         = {groups}
  provider      = amisim.b_west
  ami           = amisim_image_copy.dr[count.index].id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.dr]
}}
resource "amisim_launch_permission" "dr" {{
  count      = {groups}
  provider   = amisim.west
  image_id   = amisim_image_copy.dr[count.index].id
  account_id = "222222222222"
}}
resource "amisim_instance" "a" {{
  count         = {groups}
  ami           = amisim_image.src[count.index].id
  instance_type = "t3.micro"
}}
resource "amisim_image" "pad" {{
  count = {max(0, n - 8 * groups)}
  name  = "pad-${{count.index}}"
}}
"""


def mixed_floor(n):
    return floor(n)


def terraform():
    path = os.path.join(ROOT, ".tools", "terraform-path")
    if os.environ.get("AMISIM_TF"):
        return os.environ["AMISIM_TF"]
    with open(path) as f:
        return f.read().strip()


def env(rc, **extra):
    e = dict(os.environ)
    e.update(
        TF_CLI_CONFIG_FILE=rc,
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        RUST_LIB_BACKTRACE="0",
    )
    for k in ("TF_LOG", "TF_LOG_PROVIDER", "AMISIM_STORE", "AMISIM_ACCOUNT_ID", "AMISIM_REGION"):
        e.pop(k, None)
    e.update(extra)
    return e


class Peak:
    """Polls every process whose command line holds `needle` (the amisim
    provider's, by default): the peak resident memory (VmHWM) of any one, and
    the CPU time (user + system) of each, kept at its last reading (a few
    ticks of a process's last 20 ms may be missed)."""

    TICKS = os.sysconf("SC_CLK_TCK")

    def __init__(self, needle=b"terraform-provider-amisim"):
        self.needle = needle
        self.kib = 0
        self.ticks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self):
        return sum(self.ticks.values()) / self.TICKS

    @staticmethod
    def ticks_of(pid):
        """The CPU time of process `pid` so far, in clock ticks."""
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if self.needle not in f.read():
                            continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.kib = max(self.kib, int(line.split()[1]))
                    self.ticks[pid] = self.ticks_of(pid)
                except (OSError, IndexError, ValueError):
                    pass
            time.sleep(0.02)


def run(tf, workdir, rc, *args, extra=None):
    start = time.perf_counter()
    out = subprocess.run([tf, *args], cwd=workdir, env=env(rc, **(extra or {})), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 2):
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"terraform {' '.join(args)} failed in {workdir}")
    return elapsed


def measure_pair(tf, rc, name, amisim_cfg, floor_cfg, repeat, parallelism):
    """Alternates amisim and the floor; returns {phase: [(amisim_s, floor_s), ...]}."""
    runs = [("amisim", amisim_cfg, None), ("floor", floor_cfg, None)]
    results, peak = measure_runs(tf, rc, name, runs, repeat, parallelism)
    return results, peak


def measure_runs(tf, rc, name, runs, repeat, parallelism):
    """Alternates the runs (kind, configuration, function giving extra environment);
    returns {phase: [(seconds of each run in order), ...]} and the peak memory."""
    results = {"apply": [], "plan": [], "destroy": []}
    peak = 0
    for _ in range(repeat):
        pair = []
        for kind, cfg, extra in runs:
            work = tempfile.mkdtemp(prefix=f"amisim-bench-{name}-{kind}-")
            with open(os.path.join(work, "main.tf"), "w") as f:
                f.write(cfg)
            environment = extra() if extra else {}
            p = f"-parallelism={parallelism}"
            with Peak() as pk:
                a = run(tf, work, rc, "apply", "-auto-approve", "-no-color", p, extra=environment)
            peak = max(peak, pk.kib)
            pl = run(tf, work, rc, "plan", "-no-color", "-detailed-exitcode", p, extra=environment)
            d = run(tf, work, rc, "destroy", "-auto-approve", "-no-color", p, extra=environment)
            pair.append((a, pl, d))
            shutil.rmtree(work, ignore_errors=True)
        for i, phase in enumerate(("apply", "plan", "destroy")):
            results[phase].append(tuple(p[i] for p in pair))
    return results, peak


class Server:
    """New databases on the PostgreSQL server of an administrative URL."""

    def __init__(self, admin):
        self.admin = admin
        self.base = admin.rsplit("/", 1)[0]
        self.count = 0
        self.made = []

    def psql(self, sql):
        subprocess.run(["psql", "-q", "-d", self.admin, "-c", sql], check=True, capture_output=True)

    def database(self):
        self.count += 1
        name = f"amisim_bench_{os.getpid()}_{self.count}"
        self.psql(f"CREATE DATABASE {name}")
        self.made.append(name)
        return f"{self.base}/{name}"

    def drop_all(self):
        for name in self.made:
            self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fmt_triple(label, rows):
    """| label | SQLite | PostgreSQL | floor | PostgreSQL/SQLite | PostgreSQL/floor |"""
    med = [statistics.median(r[i] for r in rows) for i in range(3)]
    ratio = lambda i, j: statistics.median(r[i] / r[j] for r in rows if r[j] > 0)
    return (f"| {label} | {med[0]:.2f} s | {med[1]:.2f} s | {med[2]:.2f} s | "
            f"{ratio(1, 0):.2f}x | {ratio(1, 2):.2f}x |")


def amisim_cli(store, *args):
    out = subprocess.run([AMISIM, "--store", store, *args], capture_output=True, text=True, check=True)
    return out.stdout


def classroom(tf, rc, server, students=8, images_each=25, parallelism=10):
    """8 folders, 8 claimed accounts, each sharing every image with the next,
    applying at once on one PostgreSQL store. Returns the report lines."""
    store = server.database()
    account = lambda n: f"3000000000{n % students:02d}"
    folders = []
    for n in range(students):
        secret = amisim_cli(store, "--json", "accounts", "claim", account(n))
        secret = json.loads(secret)["secret_access_key"]
        work = tempfile.mkdtemp(prefix=f"amisim-bench-classroom-{n}-")
        with open(os.path.join(work, "main.tf"), "w") as f:
            f.write(REQUIRED + f"""
provider "amisim" {{
  account_id = "{account(n)}"
  region     = "us-east-1"
}}
resource "amisim_image" "mine" {{
  count = {images_each}
  name  = "student-{n}-image-${{count.index}}"
}}
resource "amisim_launch_permission" "neighbour" {{
  count      = {images_each}
  image_id   = amisim_image.mine[count.index].id
  account_id = "{account(n + 1)}"
}}
""")
        folders.append((work, dict(AMISIM_STORE=store, AMISIM_SECRET_KEY=secret)))
    p = f"-parallelism={parallelism}"
    start = time.perf_counter()
    children = [
        subprocess.Popen([tf, "apply", "-auto-approve", "-no-color", p], cwd=w, env=env(rc, **e),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for w, e in folders
    ]
    outputs = [c.communicate()[0] for c in children]
    elapsed = time.perf_counter() - start
    for c, o in zip(children, outputs):
        if c.returncode != 0:
            sys.stderr.write(o)
            raise SystemExit("a classroom apply failed")
    plans = []
    start = time.perf_counter()
    children = [
        subprocess.Popen([tf, "plan", "-no-color", "-detailed-exitcode", p], cwd=w, env=env(rc, **e),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for w, e in folders
    ]
    plans = [c.wait() for c in children]
    plan_elapsed = time.perf_counter() - start
    empty = sum(1 for code in plans if code == 0)
    images = json.loads(amisim_cli(store, "--json", "images", "list"))
    perms = json.loads(amisim_cli(store, "--json", "permissions", "list"))["launch_permissions"]
    events = json.loads(amisim_cli(store, "--json", "events", "--action", "RegisterImage"))
    names = [i["name"] for i in images]
    registered = [e for e in events if e["outcome"] == "ok"]
    expected = students * images_each
    shares = [(p["image_id"], json.dumps(p["principal"], sort_keys=True)) for p in perms]
    lost = (expected - len(set(names))) + (expected - len(set(shares)))
    doubled = (len(names) - len(set(names))) + (len(shares) - len(set(shares)))
    for w, _ in folders:
        shutil.rmtree(w, ignore_errors=True)
    return [
        f"| {students} folders apply at once ({students} claimed accounts, {images_each} images and "
        f"{images_each} launch permissions each) | {elapsed:.2f} s |",
        f"| then {students} no-op plans at once | {plan_elapsed:.2f} s |",
        f"| folders planning empty afterwards | {empty} of {students} |",
        f"| images / launch permissions / successful RegisterImage events in the store | "
        f"{len(images)} / {len(perms)} / {len(registered)} (expected {expected} each) |",
        f"| updates lost / applied twice | {lost} / {doubled} |",
    ]


def handshake_ms(samples=20):
    times = []
    store = tempfile.mkdtemp(prefix="amisim-bench-handshake-")
    for _ in range(samples):
        e = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, AMISIM_STORE=os.path.join(store, "c.db"))
        start = time.perf_counter()
        p = subprocess.Popen([PROVIDER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=e)
        p.stdout.readline()
        times.append((time.perf_counter() - start) * 1000)
        p.kill()
        p.wait()
    shutil.rmtree(store, ignore_errors=True)
    return statistics.median(times)


def fmt_row(label, pairs):
    a = statistics.median(x for x, _ in pairs)
    f = statistics.median(y for _, y in pairs)
    ratios = [x / y for x, y in pairs if y > 0]
    r = statistics.median(ratios) if ratios else float("nan")
    return f"| {label} | {a:.2f} s | {f:.2f} s | {r:.2f}x |"


def postgres_rows(tf, rc, args, say):
    server = Server(args.postgres)
    n = max(int(x) for x in args.sizes.split(","))
    try:
        say("")
        say(f"| run | amisim on SQLite | amisim on PostgreSQL | terraform_data (floor) | PostgreSQL/SQLite | PostgreSQL/floor |")
        say("|---|---:|---:|---:|---:|---:|")
        runs = [
            ("sqlite", images(n), None),
            ("postgres", images(n), lambda: {"AMISIM_STORE": server.database()}),
            ("floor", floor(n), None),
        ]
        res, _ = measure_runs(tf, rc, f"shared{n}", runs, args.repeat, args.parallelism)
        for phase in ("apply", "plan", "destroy"):
            say(fmt_triple(f"{phase}, {n} amisim_image", res[phase]))
            print(fmt_triple(f"{phase}, {n} amisim_image", res[phase]), flush=True)
        say("")
        say("| 8 folders on one PostgreSQL store | value |")
        say("|---|---:|")
        for line in classroom(tf, rc, server, parallelism=args.parallelism):
            say(line)
        if not args.skip_simulator:
            say("")
            out = subprocess.run(
                ["cargo", "bench", "--quiet", "-p", "amisim-simulator", "--bench", "backends"],
                cwd=ROOT, capture_output=True, text=True, check=True,
                env=dict(os.environ, AMISIM_BENCH_POSTGRES=args.postgres),
            ).stdout
            for l in out.splitlines():
                if l.startswith("|"):
                    say(l)
    finally:
        server.drop_all()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--skip-simulator", action="store_true")
    ap.add_argument("--postgres", help="administrative URL of a PostgreSQL server")
    ap.add_argument("--only-postgres", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "amisim-provider", "-p", "amisim-cli"],
                   cwd=ROOT, check=True)
    rc = os.path.join(tempfile.mkdtemp(prefix="amisim-bench-rc-"), "terraformrc")
    with open(rc, "w") as f:
        f.write(
            'provider_installation {\n  dev_overrides {\n'
            f'    "registry.terraform.io/amisim/amisim" = "{RELEASE}"\n'
            f'    "registry.opentofu.org/amisim/amisim" = "{RELEASE}"\n'
            "  }\n  direct {}\n}\n"
        )
    tf = terraform()
    version = subprocess.run([tf, "version"], capture_output=True, text=True, env=env(rc)).stdout.splitlines()[0]

    lines = []
    say = lines.append
    say(f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; {version}; amisim provider release build; "
        f"{args.repeat} alternating runs per row, -parallelism={args.parallelism}; medians, and the median of the per-pair ratios.")
    if not args.only_postgres:
        say("")
        say("| run | amisim | terraform_data (floor) | ratio |")
        say("|---|---:|---:|---:|")
        peak = 0
        for n in sizes:
            res, pk = measure_pair(tf, rc, f"images{n}", images(n), floor(n), args.repeat, args.parallelism)
            peak = max(peak, pk)
            for phase in ("apply", "plan", "destroy"):
                say(fmt_row(f"{phase}, {n} amisim_image", res[phase]))
            print("\n".join(lines[-3:]), flush=True)
        n = max(sizes)
        res, pk = measure_pair(tf, rc, f"keys{n}", keys(n), floor(n), args.repeat, args.parallelism)
        for phase in ("apply", "plan", "destroy"):
            say(fmt_row(f"{phase}, {n} amisim_kms_key (6 attributes)", res[phase]))
        res, pk = measure_pair(tf, rc, f"mixed{n}", mixed(n), mixed_floor(n), args.repeat, args.parallelism)
        for phase in ("apply", "plan", "destroy"):
            say(fmt_row(f"{phase}, mixed {n} (copies, shares, instances; 2 accounts x 2 regions)", res[phase]))
        say("")
        say("| provider process | value |")
        say("|---|---:|")
        say(f"| time to handshake (median of 20) | {handshake_ms():.1f} ms |")
        say(f"| peak memory (VmHWM) of one provider process, largest run | {peak / 1024:.1f} MiB |")
        say(f"| binary size | {os.path.getsize(PROVIDER) / 1024 / 1024:.1f} MiB |")
        if not args.skip_simulator:
            say("")
            say("Simulator alone (`cargo bench -p amisim-simulator --bench ops`), store file with WAL, one transaction per call:")
            say("")
            out = subprocess.run(
                ["cargo", "bench", "--quiet", "-p", "amisim-simulator", "--bench", "ops"],
                cwd=ROOT, capture_output=True, text=True, check=True,
            ).stdout
            lines.extend(l for l in out.splitlines() if l.startswith("|"))
    if args.postgres:
        postgres_rows(tf, rc, args, say)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
