#!/usr/bin/env python3
"""The amisim benchmark suite: amisim under Terraform against Terraform's own floor.

Run it with `make bench` (after `make demo` or `scripts/setup`). It builds the
provider in release mode, then for each N it alternates the amisim
configuration and the same N of Terraform's built-in `terraform_data`, so that
both see the same machine noise, and reports medians and the ratio of each
pair. It also measures the provider process (time to the handshake line,
peak memory during the largest apply, binary size) and runs the simulator's
own benchmark (`cargo bench -p amisim-simulator --bench ops`).

Options: --sizes 10,100,1000  --repeat 3  --parallelism 10  --skip-simulator
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
PROVIDER = os.path.join(RELEASE, "terraform-provider-amisim")
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


def env(rc):
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
    return e


class Peak:
    """Polls the peak resident memory (VmHWM) of every amisim provider process."""

    def __init__(self):
        self.kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if b"terraform-provider-amisim" not in f.read():
                            continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.kib = max(self.kib, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.02)


def run(tf, workdir, rc, *args):
    start = time.perf_counter()
    out = subprocess.run([tf, *args], cwd=workdir, env=env(rc), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 2):
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"terraform {' '.join(args)} failed in {workdir}")
    return elapsed


def measure_pair(tf, rc, name, amisim_cfg, floor_cfg, repeat, parallelism):
    """Alternates amisim and the floor; returns {phase: [(amisim_s, floor_s), ...]}."""
    results = {"apply": [], "plan": [], "destroy": []}
    peak = 0
    for _ in range(repeat):
        pair = {}
        for kind, cfg in (("amisim", amisim_cfg), ("floor", floor_cfg)):
            work = tempfile.mkdtemp(prefix=f"amisim-bench-{name}-{kind}-")
            with open(os.path.join(work, "main.tf"), "w") as f:
                f.write(cfg)
            p = f"-parallelism={parallelism}"
            with Peak() as pk:
                a = run(tf, work, rc, "apply", "-auto-approve", "-no-color", p)
            peak = max(peak, pk.kib)
            pl = run(tf, work, rc, "plan", "-no-color", "-detailed-exitcode", p)
            d = run(tf, work, rc, "destroy", "-auto-approve", "-no-color", p)
            pair[kind] = (a, pl, d)
            shutil.rmtree(work, ignore_errors=True)
        for i, phase in enumerate(("apply", "plan", "destroy")):
            results[phase].append((pair["amisim"][i], pair["floor"][i]))
    return results, peak


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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--skip-simulator", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "amisim-provider"], cwd=ROOT, check=True)
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
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
