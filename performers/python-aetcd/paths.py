"""Puts this performer's generated stubs (gen/) and the shared kit on sys.path.

Import it before etcdfit_kit or etcdfit.performer.v1 (main.py and sdk/ do). build.sh
copies performers/python-kit into OUT/kit and the driver runs OUT/venv/bin/python, so
the kit is found beside the interpreter's venv; any other interpreter (a checkout
without a build) gets the source kit, ../python-kit.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen")
ERRORS_TSV = os.path.join(GEN, "etcd_errors.tsv")  # protos/generate.sh copies it here
BUILT_KIT = os.path.join(os.path.dirname(sys.prefix), "kit")
SOURCE_KIT = os.path.join(os.path.dirname(HERE), "python-kit")
KIT = BUILT_KIT if os.path.isdir(os.path.join(BUILT_KIT, "etcdfit_kit")) else SOURCE_KIT

for _p in (KIT, GEN):
    if _p not in sys.path:
        sys.path.insert(0, _p)
