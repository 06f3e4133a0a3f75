#!/bin/sh
# `npm ci "$@"` for the image build stages. When the build has EXTRA_CA_CERTS (a PEM, for a
# TLS-intercepting proxy between the build and the npm registry), npm trusts it for this run only;
# the file is removed afterwards, and so is npm's cache, which the image does not need.
set -eu
if [ -n "${EXTRA_CA_CERTS:-}" ]; then
  printf '%s\n' "$EXTRA_CA_CERTS" > /tmp/extra-ca.pem
  export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem
fi
npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier "$@"
rm -rf /tmp/extra-ca.pem "$(npm config get cache)"
