"""python-aetcd performer: `python main.py --listen 127.0.0.1:PORT`."""

import argparse
import sys

import protocol


def main(argv=None):
    ap = argparse.ArgumentParser(description="etcdfit performer for aetcd (asyncio)")
    ap.add_argument("--listen", required=True, help="host:port to serve on")
    args = ap.parse_args(argv)
    return protocol.run(args.listen)


if __name__ == "__main__":
    sys.exit(main())
