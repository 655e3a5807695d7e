#pragma once
// One direction of SRTP/SRTCP protection with libsrtp: a sender protects, a receiver unprotects.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "surgilink/core/fault.hpp"

namespace surgilink::media {

// The SRTP protection profiles SurgiLink offers (RFC 7714 and RFC 3711 names).
enum class SrtpProfile { kAeadAes128Gcm, kAes128CmHmacSha1_80 };

// Bytes of master key and master salt for a profile (16 + 12 for GCM, 16 + 14 for AES-CM).
std::size_t srtp_master_key_size(SrtpProfile p);
std::size_t srtp_master_salt_size(SrtpProfile p);
// Config and SDP names: "AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"; parse throws std::invalid_argument.
const char* srtp_profile_name(SrtpProfile p);
SrtpProfile parse_srtp_profile(const std::string& name);

// Runs libsrtp's one-time set-up (its ciphers' self-tests: 15-20 ms here) if it has not run yet; the
// first SrtpSession does it otherwise. Programs call it at start so that the first admission does not pay
// for it. Throws std::runtime_error if libsrtp fails.
void initialise_srtp();

// Room to leave after a packet for the SRTP/SRTCP trailer (tag, SRTCP index).
inline constexpr std::size_t kSrtpMaxTrailer = 144;

// An SRTP context for one direction of one connection. Construction throws std::runtime_error if libsrtp
// refuses the key; protect/unprotect never throw. Not thread-safe: owned by the network thread.
class SrtpSession {
 public:
  enum class Direction { kOutbound, kInbound };
  // `master` is key || salt, of srtp_master_key_size + srtp_master_salt_size bytes.
  SrtpSession(SrtpProfile profile, Direction direction, std::span<const std::uint8_t> master);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Protects `length` bytes of RTP in place; the buffer must have kSrtpMaxTrailer bytes of room after them.
  core::Result<std::size_t> protect_rtp(std::span<std::uint8_t> buffer, std::size_t length);
  core::Result<std::size_t> protect_rtcp(std::span<std::uint8_t> buffer, std::size_t length);
  // Verifies and decrypts in place; returns the plain length, or the fault (authentication, replay, ...).
  core::Result<std::size_t> unprotect_rtp(std::span<std::uint8_t> buffer, std::size_t length);
  core::Result<std::size_t> unprotect_rtcp(std::span<std::uint8_t> buffer, std::size_t length);

  SrtpProfile profile() const { return profile_; }

 private:
  SrtpProfile profile_;
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace surgilink::media
