#!/usr/bin/env bash
# Creates SurgiLink's development PKI: a development CA, the OR sender's
# server/client certificate, mentor/observer client certificates, an access
# list (access.toml) for the sender, plus two certificates the tests use to
# show refusals (one from an unrelated CA, one not in the access list).
#
# Usage: tools/make-dev-certs.sh OUT_DIR
#
# Idempotent: when OUT_DIR already holds a complete set it does nothing. The sender's certificate also names
# 10.77.0.1, the OR end of the link emulator (surgilink-bench --link).
# Development identities only: never use these outside a test bench.
set -euo pipefail

prog=make-dev-certs

usage() {
    echo "usage: $0 OUT_DIR" >&2
    exit 2
}

[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
out_dir=$1

command -v openssl >/dev/null 2>&1 || {
    echo "$prog: the openssl command line tool is required (apt-get install openssl)" >&2
    exit 1
}
command -v flock >/dev/null 2>&1 || {
    echo "$prog: flock (util-linux) is required" >&2
    exit 1
}
command -v sha256sum >/dev/null 2>&1 || {
    echo "$prog: sha256sum (coreutils) is required" >&2
    exit 1
}

readonly DAYS=825
# name:CN:profile:issuer  (profile = a section of the config written below)
readonly -a LEAVES=(
    "sender:SurgiLink OR sender (dev):v3_sender:ca"
    "mentor:Dr. Dev Mentor:v3_client:ca"
    "mentor2:Dr. Second Mentor:v3_client:ca"
    "observer:Dev Observer:v3_client:ca"
    "unlisted:Dev Unlisted (not in access list):v3_client:ca"
    "stranger:Dev Stranger (unrelated CA):v3_client:other-ca"
)
readonly -a FILES=(
    ca.pem ca.key
    other-ca.pem other-ca.key
    sender.pem sender.key
    mentor.pem mentor.key
    mentor2.pem mentor2.key
    observer.pem observer.key
    unlisted.pem unlisted.key
    stranger.pem stranger.key
    access.toml
)

mkdir -p "$out_dir"
# Test programs run at once may all ask for the set: one makes it, the others wait and find it made.
exec 9>"$out_dir/.make-dev-certs.lock"
flock 9

# --- idempotency --------------------------------------------------------------
if [[ -f $out_dir/ca.pem ]]; then
    missing=()
    for f in "${FILES[@]}"; do
        [[ -s $out_dir/$f ]] || missing+=("$f")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        # The programs refuse a private key others may read (a copy may have lost the modes).
        chmod 600 "$out_dir"/*.key
        echo "$prog: development certificates already present in $out_dir, nothing to do"
        exit 0
    fi
    echo "$prog: $out_dir is incomplete (missing: ${missing[*]}); regenerating the whole set"
fi

# Build everything in a private scratch directory, then move the finished set
# into place, so an interrupted run never leaves a half-made set behind.
work=$(mktemp -d "$out_dir/.make-dev-certs.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
umask 077

# Our own OpenSSL configuration, so the result does not depend on the
# system's openssl.cnf defaults.
cat >"$work/openssl.cnf" <<'EOF'
[ req ]
distinguished_name = req_dn
prompt             = no
utf8               = yes
string_mask        = utf8only

[ req_dn ]

[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ v3_sender ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyAgreement
extendedKeyUsage       = serverAuth, clientAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1, IP:10.77.0.1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_client ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyAgreement
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF

new_key() { # name
    openssl genpkey -algorithm EC \
        -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
        -out "$work/$1.key" 2>/dev/null
    chmod 600 "$work/$1.key"
}

new_serial() {
    # 15 random bytes: positive, unique, well under the 20-octet limit.
    echo "0x$(openssl rand -hex 15)"
}

make_ca() { # name CN
    new_key "$1"
    openssl req -new -x509 -config "$work/openssl.cnf" -extensions v3_ca \
        -key "$work/$1.key" -subj "/CN=$2" -sha256 -days "$DAYS" \
        -set_serial "$(new_serial)" -out "$work/$1.pem"
    chmod 644 "$work/$1.pem"
}

make_leaf() { # name CN profile issuer
    new_key "$1"
    openssl req -new -config "$work/openssl.cnf" \
        -key "$work/$1.key" -subj "/CN=$2" -sha256 -out "$work/$1.csr"
    openssl x509 -req -in "$work/$1.csr" \
        -CA "$work/$4.pem" -CAkey "$work/$4.key" -set_serial "$(new_serial)" \
        -sha256 -days "$DAYS" -extfile "$work/openssl.cnf" -extensions "$3" \
        -out "$work/$1.pem" 2>/dev/null
    chmod 644 "$work/$1.pem"
}

fingerprint() { # file.pem -> sha256:<lowercase hex of sha256(DER)>
    local hex
    hex=$(openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1)
    echo "sha256:${hex,,}"
}

make_ca ca "SurgiLink Development CA"
make_ca other-ca "Unrelated CA"
for spec in "${LEAVES[@]}"; do
    IFS=: read -r name cn profile issuer <<<"$spec"
    make_leaf "$name" "$cn" "$profile" "$issuer"
done

cat >"$work/access.toml" <<EOF
# Generated by tools/make-dev-certs.sh — development identities only.
[[person]]
fingerprint = "$(fingerprint "$work/mentor.pem")"
name = "Dr. Dev Mentor"
role = "mentor"
[[person]]
fingerprint = "$(fingerprint "$work/mentor2.pem")"
name = "Dr. Second Mentor"
role = "mentor"
[[person]]
fingerprint = "$(fingerprint "$work/observer.pem")"
name = "Dev Observer"
role = "observer"
EOF
chmod 644 "$work/access.toml"

# --- verification (before anything is moved into place) -------------------
fail=0
openssl verify -CAfile "$work/ca.pem" -purpose sslserver "$work/sender.pem" >/dev/null || fail=1
for name in sender mentor mentor2 observer unlisted; do
    openssl verify -CAfile "$work/ca.pem" -purpose sslclient "$work/$name.pem" >/dev/null || fail=1
done
openssl verify -CAfile "$work/other-ca.pem" -purpose sslclient "$work/stranger.pem" >/dev/null || fail=1
if openssl verify -CAfile "$work/ca.pem" "$work/stranger.pem" >/dev/null 2>&1; then
    echo "$prog: stranger.pem unexpectedly verifies against the development CA" >&2
    fail=1
fi
if [[ $fail -ne 0 ]]; then
    echo "$prog: verification failed; nothing written to $out_dir" >&2
    exit 1
fi

for f in "${FILES[@]}"; do
    mv -f -- "$work/$f" "$out_dir/$f"
done

# --- report -------------------------------------------------------------------
echo "$prog: created development certificates in $out_dir (EC P-256, SHA-256, $DAYS days):"
describe() { # name issuer-label
    local subject
    subject=$(openssl x509 -in "$out_dir/$1.pem" -noout -subject -nameopt multiline,-esc_msb,utf8 |
        sed -n 's/^ *commonName *= *//p')
    printf '  %-13s %-13s CN="%s", issuer %s, %s\n' "$1.pem" "$1.key" "$subject" "$2" \
        "$(fingerprint "$out_dir/$1.pem")"
}
describe ca "self-signed"
describe other-ca "self-signed"
describe sender "ca.pem"
describe mentor "ca.pem"
describe mentor2 "ca.pem"
describe observer "ca.pem"
describe unlisted "ca.pem"
describe stranger "other-ca.pem"
echo "  access.toml   access list: mentor (Dr. Dev Mentor), mentor2 (Dr. Second Mentor), observer (Dev Observer)"
echo "$prog: verified sender, mentor, mentor2, observer, unlisted against ca.pem; stranger only against other-ca.pem"
