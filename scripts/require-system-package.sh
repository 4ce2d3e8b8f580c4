#!/usr/bin/env bash
# Usage: require-system-package.sh COMMAND DEBIAN_PACKAGE
# Installs a Debian package when its command is missing; where that cannot be done, stops with the exact command to run.
set -euo pipefail
command_name=$1
package=$2
# Debian puts daemons (nginx) in /usr/sbin, which is not on every user's PATH.
if PATH="$PATH:/usr/sbin:/sbin" command -v "$command_name" >/dev/null 2>&1; then
    exit 0
fi
install="apt-get update && apt-get install -y --no-install-recommends $package"
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    install="sudo sh -c '$install'"
elif [ "$(id -u)" -ne 0 ]; then
    echo "error: '$command_name' is missing and installing it needs root. Run:" >&2
    echo "    sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends $package'" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: '$command_name' is missing and this system has no apt-get; install the '$package' package" >&2
    echo "    with your system's package manager (on Debian: apt-get install -y $package)." >&2
    exit 1
fi
echo "==> installing $package (Debian package) for '$command_name'"
export DEBIAN_FRONTEND=noninteractive
if ! sh -c "$install" >/tmp/servebench-apt-$package.log 2>&1; then
    tail -n 20 "/tmp/servebench-apt-$package.log" >&2
    echo "error: could not install $package. Run:" >&2
    echo "    sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends $package'" >&2
    exit 1
fi
PATH="$PATH:/usr/sbin:/sbin" command -v "$command_name" >/dev/null
