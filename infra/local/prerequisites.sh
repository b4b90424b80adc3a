#!/usr/bin/env bash
# Installs what the local stack and the tests need beyond npm: a Java 17+ JDK (DynamoDB Local) and Pebble with
# pebble-challtestsrv (the local ACME CA and DNS), and BIND 9 (the RFC 2136 DNS provider's tests). As root it installs them with apt-get; otherwise it says what to run.
set -euo pipefail
missing=()
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1 || true)
# A JDK, not only a runtime: javac compiles the launcher that binds DynamoDB Local to 127.0.0.1 (infra/local/dynamodb-loopback.java).
if [ -z "${java_major}" ] || [ "${java_major}" -lt 17 ] || ! command -v javac >/dev/null; then missing+=(openjdk-17-jdk-headless); fi
if ! command -v pebble >/dev/null || ! command -v pebble-challtestsrv >/dev/null; then missing+=(pebble); fi
# named: the tests start their own BIND on a loopback port with a TSIG key (test/support/bind.ts).
if ! command -v named >/dev/null && [ ! -x /usr/sbin/named ]; then missing+=(bind9); fi
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "certwright: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "certwright: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
