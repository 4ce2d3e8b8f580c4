"""The contract served by Flask: an app factory (`flask_app.app.create_app`), one blueprint, one error translator.

Importing the package imports nothing else: gunicorn's master reads only the settings, and the workers build the app.
The framework-free WSGI floor takes its thread count from here, so that it runs the same server as Flask.
"""

# file concern: server_config

# Two threads, not four: a CPU-bound prediction shares the GIL with every thread beside it, so an admitted one ran
# up to four times slower under overload (accepted p99 13-16x the unloaded p50 with 4, 7.6-9.5x with 2, in the
# same interleaved rounds) while 2 held as much at the SLO (benchmarks/METHOD.md). One stays free for health beside
# a running prediction. A model that waits on I/O wants more (`make bench-io`: GUNICORN_CMD_ARGS="--threads=16").
THREADS = 2
