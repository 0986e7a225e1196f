# Orientations E2C — production image: gunicorn by default; the same image runs the Celery worker and beat
# (see docker-compose.yml). Only the production lock is installed: no local servers, no test tools.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint's native libraries (Pango, HarfBuzz subsetting) and the fonts of the PDFs: DejaVu, and
# Noto Sans CJK for Chinese, Japanese and Korean names (about 90 MB installed).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# The lock alone first, so that code changes do not reinstall the dependencies.
COPY requirements/prod.txt requirements/prod.txt
RUN pip install --no-cache-dir -r requirements/prod.txt

# The project, listed explicitly (no .dockerignore): never the virtualenv, local data or git history.
# The code stays owned by root, read-only for the app user.
COPY manage.py ./
COPY config ./config
COPY common ./common
COPY partners ./partners
COPY cej ./cej
COPY e2c_referrals ./e2c_referrals
COPY audit ./audit
COPY pagination ./pagination
COPY csvimport ./csvimport
COPY outbox ./outbox
COPY exports ./exports
COPY reporting ./reporting
COPY history ./history
COPY retention ./retention
COPY submissions ./submissions
COPY texthygiene ./texthygiene
COPY throttle ./throttle
COPY states ./states
COPY scheduling ./scheduling
COPY privacy ./privacy
COPY templates ./templates
COPY static ./static

# Build-only throwaway values: production settings refuse to import without them;
# collectstatic never connects to the database nor to Redis. They do not persist in the image.
RUN DJANGO_SECRET_KEY=build-only-throwaway-secret-key-not-used-at-run-time-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    SITE_URL=https://build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
