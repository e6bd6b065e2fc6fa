# syntax=docker/dockerfile:1
# scimcheck in a container: a Rust build stage, then a small Debian runtime that runs
# as an unprivileged user.
#   docker build -t scimcheck .
#   docker run --rm -e SCIM_TOKEN scimcheck run --url https://acme.example/scim/v2 --token-env SCIM_TOKEN

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# Caches speed up rebuilds; the binary is copied out of the cached target folder.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin scimcheck \
    && install -m 0755 target/release/scimcheck /usr/local/bin/scimcheck

FROM debian:bookworm-slim
# CA certificates: HTTPS targets are checked against the system's trusted roots.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/scimcheck scimcheck \
    && install -d -o scimcheck -g scimcheck /work
COPY --from=build /usr/local/bin/scimcheck /usr/local/bin/scimcheck
COPY LICENSE /usr/share/doc/scimcheck/LICENSE
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["scimcheck"]
CMD ["--help"]
