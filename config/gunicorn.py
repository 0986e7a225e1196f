"""gunicorn settings for the production image (``gunicorn -c config/gunicorn.py config.wsgi:application``).

The access log records the path without its query string: no filter or identifier that a query string
may carry (the young people search keeps its terms in the session, never in the URL) ever reaches the
logs. No referrer, no user agent.
"""

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
# %(U)s is the path only; %(r)s (request line) and %(q)s (query string) would carry personal data.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
