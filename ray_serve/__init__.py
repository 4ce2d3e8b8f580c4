"""The FastAPI front end served by Ray Serve: the same app (`fastapi_app.app.create_app`), replicas as Ray actors.

Runs in its own environment, `.ray-venv` (`make ray-env`), so that Ray's dependencies stay out of `.venv`.
"""
