"""Domain-free building blocks of the web and worker processes (bottom layer: imports no app).

``http_methods`` (the methods a view accepts), ``middleware`` (request limits and cache headers that
name no domain), ``log_filters`` (one-line client errors) and ``tasks.publish`` (a bounded publish to
the broker after a commit).
"""
