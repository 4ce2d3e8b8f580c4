"""The server floor: framework-free WSGI and ASGI apps doing exactly the front ends' work, and a no-op server."""
