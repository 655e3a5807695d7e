#!/usr/bin/env bash
# The audit log's checkpoint key ([audit] key_file, README "Security"): 32 random bytes that the sender may
# read but not rewrite, so whoever runs as the sender's user cannot re-key a forged log.
#
#   tools/make-audit-key.sh FILE [SERVICE_GROUP]
#
# As root with SERVICE_GROUP (production): FILE owned by root, group SERVICE_GROUP, mode 0440 — the sender
# (in that group) reads it, cannot write it or change its mode. Without root (a developer's machine): FILE
# is the caller's, mode 0400; the sender accepts it, but its owner could chmod it back, so this is for tests.
# Keep a copy where the quality reviewer can reach it: `surgilink-sender --verify-audit LOG --audit-key FILE`.
set -euo pipefail

die() { echo "make-audit-key: error: $*" >&2; exit 2; }

[[ $# -ge 1 && $# -le 2 && $1 != -h && $1 != --help ]] || {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
file=$1 group=${2:-}
[[ -e $file ]] && die "$file exists: a new key would make the checkpoints already written unverifiable"
[[ -d $(dirname -- "$file") ]] || die "folder $(dirname -- "$file") does not exist"
if [[ -n $group ]]; then
    [[ $(id -u) -eq 0 ]] || die "only root can give the key to root with group $group"
    getent group "$group" >/dev/null || die "no group $group"
fi

umask 077
# 32 bytes from the kernel's random source, written without ever being world-readable.
head -c 32 /dev/urandom >"$file"
if [[ -n $group ]]; then
    chown root:"$group" "$file"
    chmod 0440 "$file"
    echo "make-audit-key: $file: 32 random bytes, root:$group 0440 (the sender reads it, cannot rewrite it)"
else
    chmod 0400 "$file"
    echo "make-audit-key: $file: 32 random bytes, $(id -un) 0400 (for tests: its owner could chmod it back;" \
        "in production run as root with the sender's group)"
fi
