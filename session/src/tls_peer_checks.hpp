#pragma once
// What a TLS context checks in each handshake beyond the CA's signature and the dates (private to the session
// library): the CRL, reread when its file changes (a stale list still applies), and the pinned fingerprint.
// Why a peer was refused is noted on its SSL for explain_tls_error().

#include <string>

#include <openssl/ssl.h>

#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session::tls {

// Installs the checks of `files` (crl, pinned_peer) on `ctx`, which owns them from then on. Throws
// TlsFileError for a CRL that cannot be used. The context's handshakes must run on one thread at a time.
void install_peer_checks(SSL_CTX* ctx, const TlsFiles& files);

// Why the checks refused the peer of `ssl`; null when they did not.
const std::string* noted_refusal(SSL* ssl);

}  // namespace surgilink::session::tls
