"""The Workload command's SDK side for aetcd (the kit's etcdfit_kit.workload runs it): one
aetcd.Client per Workload client, each worker an asyncio task on the performer's event
loop, each operation one awaited SDK call whose gRPC deadline is the request timeout
(aetcd.Client(timeout=...))."""

import aetcd

from etcdfit_kit.workload import DELETE, GET, PUT, RANGE, TXN


class AetcdWorkload:
    async def new_client(self, host, port, dial_timeout_s, request_timeout_s):
        c = aetcd.Client(host=host, port=port, timeout=request_timeout_s,
                         connect_wait_timeout=dial_timeout_s)
        await c.connect()
        return c

    async def run(self, c, op, key, spec):
        if op == PUT:
            await c.put(key, spec.value)
        elif op == GET:
            await c.get(key)
        elif op == RANGE:
            # aetcd's get_range has no limit: the range is bounded by its end (Spec.range_end)
            i = int(key[len(spec.prefix):])
            await c.get_range(key, spec.range_end(i))
        elif op == TXN:
            await c.transaction(compare=[], success=[c.transactions.put(key, spec.value)],
                                failure=[])
        elif op == DELETE:
            await c.delete(key)

    async def close(self, c):
        await c.close()


WORKLOAD = AetcdWorkload()
