#!/usr/bin/env python3
"""A classroom through one `amisim serve`: students holding only an endpoint
and a key pair, applying at once.

Run it with `make bench-classroom` (after `make demo` or `scripts/setup`). It
builds the provider and the `amisim` command in release mode, starts `amisim
serve` on a new SQLite store, claims one account per student through it with
the administrator's key it printed, and gives each student a folder of their
own: IMAGES images and a launch permission on each for the next student's
account, with a provider block that names nothing (the endpoint and the key
pair come from the environment, as `amisim env` hands them out). Then:

- every folder applies at once, then plans at once: the time from the start
  to the last empty plan, how many folders plan empty, and whether the store
  holds every image and permission exactly once (nothing lost, nothing
  doubled);
- the CPU time of the provider processes, of Terraform and of the server
  during that run (the provider's share of it all);
- one student's apply through the server against the same apply on a local
  store, alternated REPEAT times.

Options: --students 30  --images 5  --repeat 3  --parallelism 10
         --out FILE (write the Markdown report there as well as to stdout)
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the suite's helpers: Terraform, the CLI configuration)

def process_cpu(pid):
    return bench.Peak.ticks_of(pid) / bench.Peak.TICKS


class Server:
    """`amisim serve` on a new store, on a free loopback port."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="amisim-bench-serve-")
        env = dict(os.environ, AMISIM_KEY_FILE=os.path.join(self.dir, "secret.key"))
        env.pop("AMISIM_STORE", None)
        self.stderr = open(os.path.join(self.dir, "stderr"), "w+")
        self.proc = subprocess.Popen(
            [bench.AMISIM, "--store", os.path.join(self.dir, "cloud.db"), "serve", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env,
        )
        first = self.proc.stdout.readline()
        self.url = next(w for w in first.split() if w.startswith("http://")).rstrip("/")
        self.stderr.seek(0)
        lines = dict(l.strip().removeprefix("export ").split("=", 1)
                     for l in self.stderr.read().splitlines() if l.startswith("export "))
        self.admin = (lines["AWS_ACCESS_KEY_ID"], lines["AWS_SECRET_ACCESS_KEY"])

    def amisim(self, *args, key=None):
        key = key or self.admin
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1])
        env.pop("AMISIM_STORE", None)
        out = subprocess.run([bench.AMISIM, "--endpoint", self.url, *args], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise SystemExit(f"amisim {' '.join(args)}: {out.stderr}")
        return out.stdout

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def folder(n, students, images):
    """Student n's folder: its images, each shared with the next student."""
    work = tempfile.mkdtemp(prefix=f"amisim-bench-student-{n}-")
    with open(os.path.join(work, "main.tf"), "w") as f:
        f.write(bench.REQUIRED + f"""
provider "amisim" {{}}

resource "amisim_image" "mine" {{
  count = {images}
  name  = "student-{n}-image-${{count.index}}"
}}

resource "amisim_launch_permission" "neighbour" {{
  count      = {images}
  image_id   = amisim_image.mine[count.index].id
  account_id = "{account((n + 1) % students)}"
}}
""")
    return work


def account(n):
    return f"4000000000{n:02d}"


def classroom(tf, rc, students, images, parallelism):
    server = Server()
    try:
        folders = []
        for n in range(students):
            claimed = json.loads(server.amisim("--json", "accounts", "claim", account(n)))
            extra = dict(AMISIM_ENDPOINT=server.url, AWS_ACCESS_KEY_ID=claimed["access_key_id"],
                         AWS_SECRET_ACCESS_KEY=claimed["secret_access_key"])
            folders.append((folder(n, students, images), extra))
        p = f"-parallelism={parallelism}"
        server_cpu = process_cpu(server.proc.pid)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with bench.Peak() as providers:
            start = time.perf_counter()
            applies = [subprocess.Popen([tf, "apply", "-auto-approve", "-no-color", p], cwd=w,
                                        env=bench.env(rc, **e), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True) for w, e in folders]
            outputs = [c.communicate()[0] for c in applies]
            applied = time.perf_counter() - start
            for c, o in zip(applies, outputs):
                if c.returncode != 0:
                    sys.stderr.write(o)
                    raise SystemExit("a student's apply failed")
            plans = [subprocess.Popen([tf, "plan", "-no-color", "-detailed-exitcode", p], cwd=w,
                                      env=bench.env(rc, **e), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for w, e in folders]
            codes = [c.wait() for c in plans]
            last_plan = time.perf_counter() - start
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = process_cpu(server.proc.pid) - server_cpu
        provider_cpu = providers.cpu_seconds()
        all_children = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
        terraform_cpu = max(all_children - provider_cpu, 0.0)
        total = provider_cpu + terraform_cpu + server_cpu
        listed = json.loads(server.amisim("--json", "images", "list"))
        perms = json.loads(server.amisim("--json", "permissions", "list"))["launch_permissions"]
        names = [i["name"] for i in listed]
        shares = [(q["image_id"], json.dumps(q["principal"], sort_keys=True)) for q in perms]
        expected = students * images
        lost = (expected - len(set(names))) + (expected - len(set(shares)))
        doubled = (len(names) - len(set(names))) + (len(shares) - len(set(shares)))
        for w, _ in folders:
            shutil.rmtree(w, ignore_errors=True)
        return [
            f"| {students} folders apply at once, until the last one finished | {applied:.2f} s |",
            f"| then {students} plans at once: from the start to the last empty plan | {last_plan:.2f} s |",
            f"| folders planning empty afterwards | {sum(1 for c in codes if c == 0)} of {students} |",
            f"| images / launch permissions in the store | {len(names)} / {len(perms)} (expected {expected} each) |",
            f"| updates lost / applied twice | {lost} / {doubled} |",
            f"| CPU: provider processes / Terraform / the server | {provider_cpu:.1f} s / {terraform_cpu:.1f} s / {server_cpu:.1f} s |",
            f"| the provider's share of that CPU time | {100 * provider_cpu / total:.0f}% |",
        ]
    finally:
        server.stop()


def one_student(tf, rc, images, repeat, parallelism):
    """One student's apply through a server and on a local store, alternated."""
    rows = []
    p = f"-parallelism={parallelism}"
    for _ in range(repeat):
        server = Server()
        try:
            claimed = json.loads(server.amisim("--json", "accounts", "claim", account(0)))
            work = folder(0, 2, images)
            extra = dict(AMISIM_ENDPOINT=server.url, AWS_ACCESS_KEY_ID=claimed["access_key_id"],
                         AWS_SECRET_ACCESS_KEY=claimed["secret_access_key"])
            through = bench.run(tf, work, rc, "apply", "-auto-approve", "-no-color", p, extra=extra)
        finally:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
        work = folder(0, 2, images)
        local = bench.run(tf, work, rc, "apply", "-auto-approve", "-no-color", p,
                          extra=dict(AMISIM_STORE=os.path.join(work, "cloud.db"), AMISIM_ACCOUNT_ID=account(0)))
        shutil.rmtree(work, ignore_errors=True)
        rows.append((through, local))
    med = lambda i: statistics.median(r[i] for r in rows)
    ratio = statistics.median(r[0] / r[1] for r in rows)
    return [
        f"| one student's apply ({images} images, {images} launch permissions): through the server / "
        f"on a local store | {med(0):.2f} s / {med(1):.2f} s ({ratio:.2f}x) |",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--images", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--out")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "amisim-provider", "-p", "amisim-cli"],
                   cwd=bench.ROOT, check=True)
    rc = os.path.join(tempfile.mkdtemp(prefix="amisim-bench-rc-"), "terraformrc")
    with open(rc, "w") as f:
        f.write(
            'provider_installation {\n  dev_overrides {\n'
            f'    "registry.terraform.io/amisim/amisim" = "{bench.RELEASE}"\n'
            f'    "registry.opentofu.org/amisim/amisim" = "{bench.RELEASE}"\n'
            "  }\n  direct {}\n}\n"
        )
    tf = bench.terraform()
    version = subprocess.run([tf, "version"], capture_output=True, text=True, env=bench.env(rc)).stdout.splitlines()[0]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; {version}; release build; one `amisim serve` on a "
        f"new SQLite store; -parallelism={args.parallelism}.",
        "",
        f"| {args.students} claimed students through one server | value |",
        "|---|---:|",
    ]
    lines += classroom(tf, rc, args.students, args.images, args.parallelism)
    lines += one_student(tf, rc, args.images, args.repeat, args.parallelism)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
