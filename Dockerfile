# The tracker daemon. Built by docker-compose.yml; runs `tracker db upgrade` then `tracker run`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY tracker ./tracker
COPY migrations ./migrations
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --create-home --uid 1000 tracker
USER tracker
ENTRYPOINT ["tracker"]
CMD ["run"]
