"""The HTTP client the client benchmark (``bench/run_client.py``) runs per case; run as a script."""
