"""python-etcd3 performer: `python main.py --listen 127.0.0.1:PORT`."""

import argparse
import sys

import paths  # noqa: F401  (gen/ and the kit on sys.path)

import sdk
from etcdfit_kit import serve


def main(argv=None):
    ap = argparse.ArgumentParser(description="etcdfit performer for python-etcd3")
    ap.add_argument("--listen", required=True, help="host:port to serve on")
    args = ap.parse_args(argv)
    return serve.run_threaded(args.listen, sdk.BACKEND)


if __name__ == "__main__":
    sys.exit(main())
