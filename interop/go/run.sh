#!/usr/bin/env bash
# Runs verify.go with Debian's packaged Go and golang.org/x/mod (no module proxy needed):
#   apt-get install golang-go golang-golang-x-mod-dev
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-${TMPDIR:-/tmp}/indelible-go-cache}" GOFLAGS=
exec go run "$here/verify.go" "$@"
