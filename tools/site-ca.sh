#!/usr/bin/env bash
# A hospital site's own certificate authority for SurgiLink: one CA, kept offline (a laptop or a USB stick
# in a safe), that signs the OR senders' and the people's certificates, renews them and revokes them by
# publishing a certificate revocation list (CRL) that senders and consoles read ([tls] crl).
#
#   tools/site-ca.sh init        CA_DIR "CA name" [--days N]
#   tools/site-ca.sh request     OUT_BASE "Common name"
#   tools/site-ca.sh issue       CA_DIR sender|person NAME "Common name" [options]
#   tools/site-ca.sh renew       CA_DIR OLD.pem NAME [--csr FILE] [--days N] [--out DIR]
#   tools/site-ca.sh revoke      CA_DIR CERT.pem [REASON]
#   tools/site-ca.sh crl         CA_DIR [--days N]
#   tools/site-ca.sh list        CA_DIR
#   tools/site-ca.sh fingerprint CERT.pem
#
# README.md, "Certificates for a hospital site", walks through it. Run with no arguments for the options.
set -euo pipefail

prog=site-ca

usage() {
    cat >&2 <<'EOF'
usage:
  site-ca.sh init CA_DIR "CA name" [--days N]
      Makes a new site CA in CA_DIR (which must not exist): private/ca.key (only the owner may read it),
      ca.pem (copy it to every sender and console), the database of issued certificates and a first,
      empty CRL (crl.pem). The CA is valid N days (default 3650).
  site-ca.sh request OUT_BASE "Common name"
      On the machine (or for the person) that will own the certificate: makes OUT_BASE.key (mode 0600,
      it never leaves that machine) and OUT_BASE.csr, the request to bring to the CA.
  site-ca.sh issue CA_DIR sender|person NAME "Common name" [--csr FILE] [--host NAME_OR_IP]...
                   [--days N] [--not-before YYYYMMDDHHMMSSZ] [--not-after YYYYMMDDHHMMSSZ] [--out DIR]
      Signs a certificate with the CA. "sender": an OR sender (TLS server and client; --host names every
      DNS name or IP address consoles use to reach it, at least one). "person": a mentor's or observer's
      console (TLS client only). With --csr the request's key is used (recommended); without, a new key
      is made next to the certificate. Writes DIR/NAME.pem (and DIR/NAME.key), DIR default CA_DIR/out.
      Valid --days N (default 825 for senders, 365 for people) or between the two dates given.
  site-ca.sh renew CA_DIR OLD.pem NAME [--csr FILE] [--days N] [--out DIR]
      Issues a new certificate with OLD.pem's name, kind and addresses. The fingerprint changes: update
      the access lists ([[person]]) and pinned [[site]] fingerprints, then revoke OLD.pem (superseded).
  site-ca.sh revoke CA_DIR CERT.pem [REASON]
      Marks the certificate revoked and writes a new CRL. REASON: unspecified (default), keyCompromise,
      affiliationChanged, superseded, cessationOfOperation.
  site-ca.sh crl CA_DIR [--days N]
      Writes a fresh CRL (CA_DIR/crl.pem) valid N days (default 30). Publish one before the last one's
      next update: copy crl.pem to every sender and console (they reread it when it changes).
  site-ca.sh list CA_DIR
      Every certificate the CA issued: valid (V), revoked (R) or expired (E), serial, expiry, name.
  site-ca.sh fingerprint CERT.pem
      The certificate's fingerprint as SurgiLink writes it (sha256:...).
EOF
    exit 2
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

command -v openssl >/dev/null 2>&1 || die "the openssl command line tool is required (apt-get install openssl)"

fingerprint() { # file.pem -> sha256:<lowercase hex of sha256(DER)>
    local hex
    hex=$(openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
    echo "sha256:${hex,,}"
}

common_name() { # file.pem -> its subject's CN
    openssl x509 -in "$1" -noout -subject -nameopt multiline,-esc_msb,utf8 |
        sed -n 's/^ *commonName *= *//p'
}

require_ca() { # CA_DIR
    [[ -f $1/ca.pem && -f $1/private/ca.key && -f $1/openssl.cnf ]] ||
        die "$1 is not a site CA (no ca.pem, private/ca.key, openssl.cnf): make one with '$0 init'"
}

positive() { # value option
    [[ $1 =~ ^[1-9][0-9]*$ ]] || die "$2 needs a positive number of days, got '$1'"
}

new_key() { # file
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null)
    chmod 600 "$1"
}

new_request() { # key csr CN
    openssl req -new -key "$1" -subj "/CN=$3" -utf8 -sha256 -out "$2"
}

# Runs openssl ca in the CA folder, whose config names its files relative to it.
run_ca() { # CA_DIR args...
    local dir=$1
    shift
    (cd "$dir" && openssl ca -config openssl.cnf -batch "$@")
}

write_crl() { # CA_DIR days
    run_ca "$1" -gencrl -crldays "$2" -out crl.pem.new 2>/dev/null
    chmod 644 "$1/crl.pem.new"
    mv -f "$1/crl.pem.new" "$1/crl.pem"
    local next
    next=$(openssl crl -in "$1/crl.pem" -noout -nextupdate | cut -d= -f2)
    echo "$prog: wrote $1/crl.pem (next update $next); copy it to every sender and console"
}

cmd_init() {
    [[ $# -ge 2 ]] || usage
    local dir=$1 name=$2 days=3650
    shift 2
    while [[ $# -gt 0 ]]; do
        case $1 in
        --days) positive "${2:-}" --days; days=$2; shift 2 ;;
        *) usage ;;
        esac
    done
    [[ ! -e $dir ]] || die "$dir exists already: a CA is made once (pick a new folder)"
    mkdir -p "$dir"
    chmod 700 "$dir"
    mkdir -m 700 "$dir/private"
    mkdir "$dir/issued" "$dir/out"
    touch "$dir/index.txt"
    echo "unique_subject = no" >"$dir/index.txt.attr"
    echo 1000 >"$dir/crlnumber"
    openssl rand -hex 15 >"$dir/serial" # issue uses random serials; openssl ca wants the file all the same
    # The profiles: what each kind of certificate may be used for. Senders are TLS servers (consoles
    # connect to them) and clients; people's consoles are clients only.
    cat >"$dir/openssl.cnf" <<'EOF'
# SurgiLink site CA (tools/site-ca.sh). Paths are relative to this folder.
[ ca ]
default_ca = site_ca

[ site_ca ]
dir              = .
database         = $dir/index.txt
new_certs_dir    = $dir/issued
certificate      = $dir/ca.pem
private_key      = $dir/private/ca.key
crlnumber        = $dir/crlnumber
serial           = $dir/serial
default_md       = sha256
default_days     = 365
default_crl_days = 30
policy           = policy_name_only
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
name_opt         = multiline,-esc_msb,utf8
cert_opt         = ca_default
crl_extensions   = crl_ext
utf8             = yes
string_mask      = utf8only

[ policy_name_only ]
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt             = no
utf8               = yes
string_mask        = utf8only

[ req_dn ]

[ v3_ca ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
    new_key "$dir/private/ca.key"
    (cd "$dir" && openssl req -new -x509 -config openssl.cnf -extensions v3_ca -key private/ca.key \
        -subj "/CN=$name" -utf8 -sha256 -days "$days" -set_serial "0x$(openssl rand -hex 15)" -out ca.pem)
    chmod 644 "$dir/ca.pem"
    write_crl "$dir" 30
    echo "$prog: made the site CA \"$name\" in $dir, valid $days days, $(fingerprint "$dir/ca.pem")"
    echo "$prog: keep $dir offline; copy only ca.pem and crl.pem to senders and consoles"
}

cmd_request() {
    [[ $# -eq 2 ]] || usage
    local base=$1 cn=$2
    [[ ! -e $base.key ]] || die "$base.key exists already"
    new_key "$base.key"
    new_request "$base.key" "$base.csr" "$cn"
    echo "$prog: made $base.key (keep it here, mode 0600) and $base.csr (bring it to the CA)"
}

# issue CA_DIR sender|person NAME CN [options]
cmd_issue() {
    [[ $# -ge 4 ]] || usage
    local dir=$1 kind=$2 name=$3 cn=$4
    shift 4
    require_ca "$dir"
    local csr="" out="$dir/out" days="" not_before="" not_after=""
    local -a hosts=()
    while [[ $# -gt 0 ]]; do
        case $1 in
        --csr) csr=${2:-}; shift 2 ;;
        --host) hosts+=("${2:-}"); shift 2 ;;
        --days) positive "${2:-}" --days; days=$2; shift 2 ;;
        --not-before) not_before=${2:-}; shift 2 ;;
        --not-after) not_after=${2:-}; shift 2 ;;
        --out) out=${2:-}; shift 2 ;;
        *) usage ;;
        esac
    done
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "NAME '$name' must be letters, digits, '.', '_' or '-' (a file name)"
    [[ -n $cn ]] || die "the common name must not be empty"
    local profile
    case $kind in
    sender)
        [[ ${#hosts[@]} -gt 0 ]] || die "a sender needs --host (each DNS name or IP address consoles use)"
        profile="basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth"
        local san="" h
        for h in "${hosts[@]}"; do
            if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then san+="${san:+, }IP:$h"; else san+="${san:+, }DNS:$h"; fi
        done
        profile+=$'\n'"subjectAltName = $san"
        days=${days:-825}
        ;;
    person)
        [[ ${#hosts[@]} -eq 0 ]] || die "--host is for senders; a person's certificate names no host"
        profile="basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = clientAuth"
        days=${days:-365}
        ;;
    *) die "the kind is 'sender' or 'person', not '$kind'" ;;
    esac
    profile+=$'\n'"subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always"

    mkdir -p "$out"
    [[ ! -e $out/$name.pem ]] || die "$out/$name.pem exists already (renew writes a new NAME)"
    local work
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf -- '$work'" EXIT
    printf '[ leaf ]\n%s\n' "$profile" >"$work/leaf.cnf"
    if [[ -z $csr ]]; then
        [[ ! -e $out/$name.key ]] || die "$out/$name.key exists already"
        new_key "$work/$name.key"
        new_request "$work/$name.key" "$work/$name.csr" "$cn"
        csr=$work/$name.csr
    fi
    [[ -r $csr ]] || die "cannot read the request $csr"
    openssl req -in "$csr" -noout -verify 2>/dev/null || die "$csr is not a valid certificate request"
    local -a validity
    if [[ -n $not_before || -n $not_after ]]; then
        [[ -n $not_before && -n $not_after ]] || die "--not-before and --not-after go together"
        validity=(-startdate "$not_before" -enddate "$not_after")
    else
        validity=(-days "$days")
    fi
    run_ca "$dir" -notext -utf8 -rand_serial -in "$(readlink -f "$csr")" -subj "/CN=$cn" \
        -extfile "$work/leaf.cnf" -extensions leaf "${validity[@]}" -out "$work/$name.pem" 2>"$work/ca.log" ||
        { cat "$work/ca.log" >&2; die "the CA refused to sign"; }
    chmod 644 "$work/$name.pem"
    mv "$work/$name.pem" "$out/$name.pem"
    if [[ -f $work/$name.key ]]; then
        mv "$work/$name.key" "$out/$name.key"
        echo "$prog: made $out/$name.key (mode 0600): give it only to its owner, then delete it here"
    fi
    local serial fp
    serial=$(openssl x509 -in "$out/$name.pem" -noout -serial | cut -d= -f2)
    fp=$(fingerprint "$out/$name.pem")
    echo "$prog: issued $out/$name.pem: $kind \"$cn\", serial $serial, until" \
        "$(openssl x509 -in "$out/$name.pem" -noout -enddate | cut -d= -f2), $fp"
    if [[ $kind == person ]]; then
        printf '%s: for the access list (access.toml) of each sender this person may join:\n' "$prog"
        printf '[[person]]\nfingerprint = "%s"\nname = "%s"\nrole = "mentor"   # or "observer"\n' "$fp" "$cn"
    else
        printf '%s: for console.toml, to pin this sender:\n' "$prog"
        printf '[[site]]\nname = "%s"\nhost = "%s"\nfingerprint = "%s"\n' "$cn" "${hosts[0]}" "$fp"
    fi
}

cmd_renew() {
    [[ $# -ge 3 ]] || usage
    local dir=$1 old=$2 name=$3
    shift 3
    [[ -r $old ]] || die "cannot read $old"
    local cn text kind
    cn=$(common_name "$old")
    text=$(openssl x509 -in "$old" -noout -ext extendedKeyUsage,subjectAltName 2>/dev/null || true)
    local -a hosts=()
    if [[ $text == *"TLS Web Server Authentication"* ]]; then
        kind=sender
        local entry
        for entry in $(sed -n 's/^ *\(DNS:\|IP Address:\)/&/p' <<<"$text" | tr -d ' ' | tr ',' ' '); do
            hosts+=(--host "${entry#*:}")
        done
    else
        kind=person
    fi
    cmd_issue "$dir" "$kind" "$name" "$cn" "${hosts[@]}" "$@"
    echo "$prog: once $name is installed, revoke the old one: $0 revoke $dir $old superseded"
}

cmd_revoke() {
    [[ $# -eq 2 || $# -eq 3 ]] || usage
    local dir=$1 cert=$2 reason=${3:-unspecified}
    require_ca "$dir"
    [[ -r $cert ]] || die "cannot read $cert"
    case $reason in
    unspecified | keyCompromise | affiliationChanged | superseded | cessationOfOperation) ;;
    *) die "REASON must be unspecified, keyCompromise, affiliationChanged, superseded or cessationOfOperation" ;;
    esac
    local log
    log=$(run_ca "$dir" -revoke "$(readlink -f "$cert")" -crl_reason "$reason" 2>&1) ||
        die "cannot revoke $cert: $log"
    echo "$prog: revoked \"$(common_name "$cert")\" ($(fingerprint "$cert")), reason $reason"
    write_crl "$dir" 30
}

cmd_crl() {
    [[ $# -ge 1 ]] || usage
    local dir=$1 days=30
    shift
    while [[ $# -gt 0 ]]; do
        case $1 in
        --days) positive "${2:-}" --days; days=$2; shift 2 ;;
        *) usage ;;
        esac
    done
    require_ca "$dir"
    write_crl "$dir" "$days"
}

cmd_list() {
    [[ $# -eq 1 ]] || usage
    require_ca "$1"
    run_ca "$1" -updatedb >/dev/null 2>&1 || true
    # index.txt: status, expiry, revocation, serial, file, subject (tab-separated)
    awk -F'\t' '{ printf "%s  %s  %-40s %s\n", $1, $2, $4, $6 }' "$1/index.txt"
}

[[ $# -ge 1 ]] || usage
command=$1
shift
case $command in
init) cmd_init "$@" ;;
request) cmd_request "$@" ;;
issue) cmd_issue "$@" ;;
renew) cmd_renew "$@" ;;
revoke) cmd_revoke "$@" ;;
crl) cmd_crl "$@" ;;
list) cmd_list "$@" ;;
fingerprint) [[ $# -eq 1 ]] || usage; fingerprint "$1" ;;
*) usage ;;
esac
