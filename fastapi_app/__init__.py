"""FastAPI front end (see docs/contract.md)."""
