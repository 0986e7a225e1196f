"""Test helper process: holds a lease on the embedded servers until its stdin closes.

Prints one JSON line with the URLs and the servers' pids once they answer.
"""

import json
import sys

from config import embedded

urls = embedded.acquire()
root = embedded.data_dir()
postmaster = (root / "postgres" / "postmaster.pid").read_text().split()[0]
redis_pid = (root / "redis" / "redis.pid").read_text().strip()
print(
    json.dumps(
        {
            "database_url": urls.database_url,
            "redis_url": urls.redis_url,
            "postgres_pid": int(postmaster),
            "redis_pid": int(redis_pid),
        }
    ),
    flush=True,
)
sys.stdin.read()
