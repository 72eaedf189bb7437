"""Data-driven conformance cases in YAML (*.spec.yaml), collected by the plugin."""
