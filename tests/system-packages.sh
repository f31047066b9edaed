#!/bin/sh
# System packages the tests need, installed only where missing: Python's venv, Node.js (the
# Khronos glTF validator) and Chromium (the review page test). As root or with sudo.
set -e
need=""
python3 -c 'import ensurepip, venv' 2>/dev/null || need="$need python3-venv"
command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
[ -z "$need" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "installing:$need"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need
