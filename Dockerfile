# syntax=docker/dockerfile:1
# The Gerai image: gunicorn web, Celery worker and beat all run from it (docker-compose.yml).
# Multi-stage: dependencies are installed into a virtualenv in the first stage; the second
# carries that virtualenv and the code, runs as a non-root user, and never runs with DEBUG on
# unless told to.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only what pip needs: this layer is rebuilt when the lock changes, not on every edit. Every
# package, direct or indirect, at the version and hash in requirements.lock (`make lock`).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DEBUG=false
RUN groupadd --system --gid 10001 gerai \
    && useradd --system --uid 10001 --gid gerai --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin gerai
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the app; only uploads are writable.
COPY . .
# Static files collected and compressed into the image (whitenoise serves them). Settings need
# a secret key, a token, a site URL, a mail server and a payment provider to load with DEBUG
# off: these throwaway values exist only in this build step; the real ones come from .env when
# a container starts.
RUN SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-key \
    ISIPAY_API_TOKEN=collectstatic-at-build-time-only \
    SITE_URL=https://build.invalid \
    EMAIL_URL=smtp://build.invalid:587 \
    PAYMENT_PROVIDERS=midtrans \
    MIDTRANS_SERVER_KEY=collectstatic-at-build-time-only \
    python manage.py collectstatic --no-input \
    && mkdir -p /app/media \
    && chown gerai:gerai /app/media
USER gerai
EXPOSE 8000
CMD ["gunicorn", "storefront.wsgi:application", "-c", "python:storefront.gunicorn_conf"]
