# The portal's image: gunicorn serving Django, static files hashed and compressed at build time.
# docker-compose.yml runs the same image as the web server, the Celery worker and the migrations.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

# The processes run as an unprivileged user that cannot change the code.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a change to the code does not reinstall them.
# pyproject.toml declares no packages: installing "." installs only its dependencies.
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock . \
    && rm -rf build *.egg-info

COPY . .

# Build-only values, scoped to this one RUN so that none of them reaches the running container:
# there, settings refuse to start with DJANGO_DEBUG=0 until a real DJANGO_SECRET_KEY is given.
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=build-only-throwaway-key-for-compilemessages-and-collectstatic-0000 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    sh -c 'python manage.py compilemessages -v 0 && python manage.py collectstatic --noinput -v 0' \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

CMD ["gunicorn", "asmpace.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
