"""etcd servers for a test session: the embedded default, a given binary, or existing endpoints."""
