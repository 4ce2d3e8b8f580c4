"""The contract served by FastAPI: lifespan loading, spec-generated models in the signatures; uvicorn in production."""

from fastapi_app.app import create_app

__all__ = ["create_app"]
