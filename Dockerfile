# Costbook application image: the web server (gunicorn), the Celery worker and beat all run from it
# (docker-compose.yml picks the command). Build: docker build -t costbook .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected at build time and served by WhiteNoise. The settings need production values to load;
# these are placeholders for this one command and are not kept in the image.
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=collectstatic-only-placeholder-not-used-at-run-time-0123456789 \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin costbook \
    && chown -R costbook:costbook /app/var

USER costbook
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "120", \
     "--access-logfile", "-"]
