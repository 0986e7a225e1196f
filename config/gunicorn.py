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
# A sync worker silent for this long is killed and replaced (its request answered 502 by the proxy):
# the last resort against a request stuck on something that stopped answering. Every wait a request
# may have on the broker is far shorter (config.settings.base: BROKER_PUBLISH_TIMEOUT, 0.5 s per step,
# once), so a frozen Redis never reaches it; the slowest legitimate pages (PDF and XLSX made on the spot)
# take a few seconds.
timeout = 30
# On a restart or a deploy, requests in flight get this long to finish.
graceful_timeout = 30
