# herald: multi-stage image on Debian 12. `docker build -t herald .`; see docker-compose.yml.

# --- build: compilers, -dev packages, npm (htmx and swagger-ui are copied into assets/vendor) ---
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config ca-certificates libmicrohttpd-dev libpq-dev libcurl4-openssl-dev \
      libjansson-dev libsodium-dev libcjose-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# npm packages first, so that a change in the C sources reuses this layer.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY . .
RUN make -j"$(nproc)" all && scripts/install.sh /opt/herald

# --- runtime: the libraries herald links against, and nothing to build with ---
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libpq5 libcurl4 libjansson4 libsodium23 libcjose0 libssl3 tzdata ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /opt/herald --no-create-home \
      --shell /usr/sbin/nologin herald \
 && install -d -o herald -g herald /var/log/herald /srv/herald/assets
COPY --from=build /opt/herald /opt/herald
COPY deploy/docker-entrypoint.sh /usr/local/bin/herald-entrypoint
ENV PATH=/opt/herald/bin:$PATH \
    HERALD_ROOT=/opt/herald \
    HERALD_LISTEN=0.0.0.0:8080 \
    HERALD_LOG_DIR=/var/log/herald
# conf/herald.conf is read relative to the working directory.
WORKDIR /opt/herald
USER herald
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/herald-entrypoint"]
CMD ["herald", "serve"]
