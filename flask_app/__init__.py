"""Flask front end (see docs/contract.md)."""
