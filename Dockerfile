# syntax=docker/dockerfile:1
# The iamkit emulator in a container. The image holds the portable x86_64 Linux
# binary that scripts/package.sh makes, so put it in the build context first:
#
#   bash scripts/package.sh            # writes dist/iamkit-<v>-x86_64-unknown-linux-gnu.tar.gz
#   docker build -t iamkit .
#   docker run --rm -p 8750:8750 -e IAMKIT_ADMIN_TOKEN=... iamkit
#
# The binary is linked against glibc 2.17, so any glibc base image runs it.

FROM debian:bookworm-slim AS unpack
# COPY fails with "no source files were specified" when the tarball is missing.
COPY dist/iamkit-*-x86_64-unknown-linux-gnu.tar.gz /tmp/
RUN set -eu; \
    set -- /tmp/iamkit-*-x86_64-unknown-linux-gnu.tar.gz; \
    if [ "$#" -ne 1 ]; then \
      echo "expected one dist/iamkit-*-x86_64-unknown-linux-gnu.tar.gz, found: $*" >&2; exit 1; \
    fi; \
    mkdir /tmp/unpacked; \
    tar -xzf "$1" -C /tmp/unpacked; \
    bin=$(find /tmp/unpacked -type f -name iamkit); \
    if [ -z "$bin" ] || [ "$(printf '%s\n' "$bin" | wc -l)" -ne 1 ]; then \
      echo "expected one file named iamkit in $1, found: ${bin:-none}" >&2; exit 1; \
    fi; \
    install -m 0755 "$bin" /iamkit

FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="iamkit" \
      org.opencontainers.image.description="A Twilio-compatible OAuth 2.0 + SCIM 2.0 emulator" \
      org.opencontainers.image.source="https://github.com/iamkit/iamkit" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
# curl is for the HEALTHCHECK below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=unpack /iamkit /usr/local/bin/iamkit
COPY LICENSE-MIT LICENSE-APACHE /usr/share/doc/iamkit/
# /data is where `iamkit serve --db /data/iamkit.db` keeps its state; a named volume
# mounted there starts out owned by the iamkit user.
RUN groupadd --system --gid 10001 iamkit \
    && useradd --system --uid 10001 --gid iamkit --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin iamkit \
    && mkdir /data \
    && chown iamkit:iamkit /data
USER iamkit
WORKDIR /data
EXPOSE 8750
# Checks the default port; change it here too if you pass another --port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8750/healthz || exit 1
ENTRYPOINT ["iamkit"]
# --host 0.0.0.0 makes the emulator print that it is reachable from other hosts:
# inside a container that is what publishing the port needs.
CMD ["serve", "--host", "0.0.0.0", "--port", "8750"]
