"""The web server the server benchmark (``bench/run_server.py``) loads with wrk; run as a script."""
