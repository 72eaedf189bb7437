"""`python -m etcdfit.faults`: build toxiproxy into the tool cache now (`make servers` does)."""

from .proxy import build

print(build())
