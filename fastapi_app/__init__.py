"""The contract served by FastAPI (`fastapi_app.app.create_app`): lifespan loading, spec-generated models in the
signatures.

Importing the package imports nothing else: uvicorn's supervisor reads only the settings, and the workers build the app.
"""
