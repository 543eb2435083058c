# syntax=docker/dockerfile:1
# PriMa in three stages: web assets from npm, the release binary (built offline against the
# recorded query data in .sqlx/, so no database is needed), and a slim runtime as a non-root user.

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM rust:1-bookworm AS build
WORKDIR /src
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY .sqlx .sqlx
COPY src src
# Cargo.toml names the criterion bench: cargo reads its file even for the binary.
COPY benches benches
COPY migrations migrations
COPY templates templates
COPY content content
# The PDF reports' fonts are compiled into the binary.
COPY assets assets
RUN cargo build --release --locked --bin prima

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app prima
WORKDIR /app
COPY --from=build /src/target/release/prima /usr/local/bin/prima
COPY static static
COPY --from=assets /src/node_modules/@kern-ux/native/dist node_modules/@kern-ux/native/dist
COPY --from=assets /src/node_modules/@zxcvbn-ts/language-common/src/passwords.json node_modules/@zxcvbn-ts/language-common/src/passwords.json
COPY --from=assets /src/node_modules/@zxcvbn-ts/language-de/src/commonWords.json node_modules/@zxcvbn-ts/language-de/src/commonWords.json
USER prima
# In a container PriMa uses the database in DATABASE_URL (see compose.yaml); the image has no
# PostgreSQL server of its own.
ENV PRIMA_LISTEN=0.0.0.0:8080 \
    PRIMA_LOG_FORMAT=json \
    PRIMA_STATIC_DIR=/app/static \
    PRIMA_NODE_MODULES=/app/node_modules
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
CMD ["prima", "serve"]
