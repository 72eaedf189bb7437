"""`etcdfit perf`: load and performance runs of each SDK's Workload beside etcd's own benchmark tool.

Roles, imported one way: `profile` (strict YAML profiles) -> `benchtool` (etcd's benchmark tool:
build, flags, output) and `runner` (a run on one server) -> `results` (the JSON document,
medians, ratios) -> `html` (the report) and `gate` (`etcdfit gate --perf`). `histogram` is the
protocol's latency bucket scheme. See docs/perf.md.
"""
