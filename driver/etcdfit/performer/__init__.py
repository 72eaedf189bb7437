"""Performers: manifests, builds, processes and the protocol client."""
