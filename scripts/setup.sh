#!/usr/bin/env bash
# Installs what building and running lambdaport needs on Debian 12, skipping what is already there;
# with --tests, also what only the test suite needs (Chromium, sqlite3, Ceph's radosgw, Docker).
# Run as root (or with sudo available). Safe to run again.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build        # toolchain
  ccache                                       # compiler cache: scripts/build.sh uses it when present
  libboost1.81-dev nlohmann-json3-dev          # engine: Asio/Beast, JSON
  libcurl4-openssl-dev libssl-dev             # SDK storage: HTTPS to S3 (libcurl), SigV4 and ETag digests (libcrypto)
  libyaml-cpp-dev unzip                        # engine: SAM templates (YAML with !Ref tags), zipped CodeUri
  doctest-dev                                  # unit tests
  python3 awscli                               # integration tests and the demo: stdlib unittest, AWS CLI v2
)
if [[ ${1:-} == --tests ]]; then
  packages+=(
    sqlite3                                    # pipeline tests: the independent engine the statistics are checked against
    chromium                                   # pipeline tests: the HTML report, rendered headless
    debootstrap                                # Lambda package tests (an older Debian) and test_docker (a base image)
    docker.io docker-compose                   # test_docker: the image and the compose file
    radosgw ceph-mon ceph-osd ceph-common      # a production S3 server (Ceph's radosgw on a one-node memstore cluster)
    clang-16 libfuzzer-16-dev libclang-rt-16-dev  # fuzz tests (tests/fuzz): clang, libFuzzer, its ASan/UBSan runtimes
  )
elif [[ -n ${1:-} ]]; then
  echo "usage: scripts/setup.sh [--tests]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from Debian (nodejs + npm) or from another apt source that bundles npm with nodejs;
# never mix the two, so look for the commands rather than the package names.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} == 0)); then
  echo "setup: all packages already installed"
else
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "setup: warning: Node.js $(node --version 2>/dev/null || echo '(none)') found; the pinned AWS SDK for" \
       "JavaScript in tests/integration/js wants Node.js 20 or newer" >&2
fi
