"""The model servers a team might pick instead of a front end, as benchmark peers: MLServer and BentoML.

Each runs from its own venv (`make peers`: their pins conflict with ours), serves a sha256-verified copy of the
same artifact with its own documented configuration, is started through `benchmarks.servers.running_command`, and
is verified against in-process predictions before it is measured (`benchmarks.peers.checks`).
"""
