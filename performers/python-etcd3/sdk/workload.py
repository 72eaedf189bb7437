"""The Workload command's SDK side for etcd3 (the kit's etcdfit_kit.workload runs it):
one etcd3.client per Workload client, each operation one blocking SDK call whose gRPC
deadline is the request timeout (etcd3.client(timeout=...))."""

import etcd3

from etcdfit_kit.workload import DELETE, GET, PUT, RANGE, TXN


class Etcd3Workload:
    def new_client(self, host, port, dial_timeout_s, request_timeout_s):
        # etcd3.client has no dial timeout (the channel connects lazily): the first get,
        # timed by the kit, waits for the connection under the request timeout.
        return etcd3.client(host=host, port=port, timeout=request_timeout_s)

    def run(self, c, op, key, spec):
        if op == PUT:
            c.put(key, spec.value)
        elif op == GET:
            c.get(key)
        elif op == RANGE:
            # no limit= (etcd3 drops it): the range is bounded by its end (Spec.range_end)
            i = int(key[len(spec.prefix):])
            list(c.get_range(key, spec.range_end(i)))  # a generator: the call runs when read
        elif op == TXN:
            c.transaction(compare=[], success=[c.transactions.put(key, spec.value)], failure=[])
        elif op == DELETE:
            c.delete(key)

    def close(self, c):
        c.close()


WORKLOAD = Etcd3Workload()
