# Registrar's image: one image for the web processes, the workers and the one-off migrate.
# Settings come from the environment (README, "Settings"); static files are collected at build
# time and served by whitenoise. compose.yaml shows the production layout.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REGISTRAR_DATA_DIR=/app/var

WORKDIR /app
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin registrar

COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.in -c requirements/constraints.txt

COPY . .
# collectstatic needs settings, not secrets: a throwaway key for this one command.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DJANGO_ENV=production python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var && chown registrar /app/var

USER registrar
EXPOSE 8000
CMD ["gunicorn", "-c", "python:registrar.gunicorn_conf", "registrar.wsgi"]
