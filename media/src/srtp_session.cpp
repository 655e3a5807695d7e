#include "surgilink/media/srtp_session.hpp"

#include <cstring>
#include <mutex>
#include <stdexcept>

#include <srtp2/srtp.h>

namespace surgilink::media {

using core::Fault;

static_assert(kSrtpMaxTrailer >= SRTP_MAX_TRAILER_LEN);
// The shortest authentication tag of the offered profiles (HMAC-SHA1-80: 10 bytes; GCM: 16).
constexpr std::size_t kMinimumTag = 10;

void initialise_srtp() {
  // libsrtp keeps global state; srtp_init is not re-entrant, so it runs exactly once per process.
  static std::once_flag once;
  std::call_once(once, [] {
    if (srtp_init() != srtp_err_status_ok) throw std::runtime_error("libsrtp: srtp_init failed");
  });
}

namespace {

core::Result<std::size_t> fault_of(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_auth_fail:
      return Fault::kAuthenticationFailed;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      return Fault::kReplayed;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
    case srtp_err_status_cipher_fail:  // GCM on a packet shorter than its tag
    case srtp_err_status_cant_check:   // SRTCP cut inside its index or tag
      return Fault::kMalformed;
    case srtp_err_status_no_ctx:
      return Fault::kUnknownStream;
    default:
      return Fault::kInternal;
  }
}

void set_policy(SrtpProfile profile, srtp_crypto_policy_t& rtp, srtp_crypto_policy_t& rtcp) {
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtcp);
  }
}

}  // namespace

std::size_t srtp_master_key_size(SrtpProfile) { return SRTP_AES_128_KEY_LEN; }
std::size_t srtp_master_salt_size(SrtpProfile p) {
  return p == SrtpProfile::kAeadAes128Gcm ? SRTP_AEAD_SALT_LEN : SRTP_SALT_LEN;
}

const char* srtp_profile_name(SrtpProfile p) {
  return p == SrtpProfile::kAeadAes128Gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80";
}

SrtpProfile parse_srtp_profile(const std::string& name) {
  if (name == "AEAD_AES_128_GCM") return SrtpProfile::kAeadAes128Gcm;
  if (name == "AES_CM_128_HMAC_SHA1_80") return SrtpProfile::kAes128CmHmacSha1_80;
  throw std::invalid_argument("unknown SRTP profile '" + name +
                              "' (use AEAD_AES_128_GCM or AES_CM_128_HMAC_SHA1_80)");
}

struct SrtpSession::Context {
  srtp_t session = nullptr;
};

SrtpSession::SrtpSession(SrtpProfile profile, Direction direction, std::span<const std::uint8_t> master)
    : profile_(profile), context_(std::make_unique<Context>()) {
  initialise_srtp();
  const std::size_t needed = srtp_master_key_size(profile) + srtp_master_salt_size(profile);
  if (master.size() != needed) {
    throw std::runtime_error("SRTP master key||salt must be " + std::to_string(needed) + " bytes for " +
                             srtp_profile_name(profile));
  }
  std::vector<std::uint8_t> key(master.begin(), master.end());
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  set_policy(profile, policy.rtp, policy.rtcp);
  policy.ssrc.type = direction == Direction::kOutbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = key.data();
  policy.window_size = 1024;  // video bursts reorder more than libsrtp's default 128 allows
  policy.allow_repeat_tx = 0;
  policy.next = nullptr;
  const srtp_err_status_t status = srtp_create(&context_->session, &policy);
  std::memset(key.data(), 0, key.size());
  if (status != srtp_err_status_ok) {
    throw std::runtime_error("libsrtp refused the " + std::string(srtp_profile_name(profile)) +
                             " policy (status " + std::to_string(status) + ")");
  }
}

SrtpSession::~SrtpSession() {
  if (context_ && context_->session) srtp_dealloc(context_->session);
}

namespace {
template <typename Fn>
core::Result<std::size_t> run(Fn fn, srtp_t session, std::span<std::uint8_t> buffer, std::size_t length,
                              std::size_t room) {
  if (length > buffer.size() || buffer.size() - length < room) return Fault::kTooLarge;
  if (length > static_cast<std::size_t>(INT32_MAX)) return Fault::kTooLarge;
  int len = static_cast<int>(length);
  const srtp_err_status_t status = fn(session, buffer.data(), &len);
  if (status != srtp_err_status_ok) return fault_of(status);
  return static_cast<std::size_t>(len);
}
}  // namespace

core::Result<std::size_t> SrtpSession::protect_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (length < 12) return Fault::kTruncated;
  return run(srtp_protect, context_->session, buffer, length, SRTP_MAX_TRAILER_LEN);
}

core::Result<std::size_t> SrtpSession::protect_rtcp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (length < 8) return Fault::kTruncated;
  return run(srtp_protect_rtcp, context_->session, buffer, length, SRTP_MAX_TRAILER_LEN);
}

core::Result<std::size_t> SrtpSession::unprotect_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (length > buffer.size()) return Fault::kTooLarge;
  if (length < 12 + kMinimumTag) return Fault::kTruncated;
  if ((buffer[0] >> 6) != 2) return Fault::kNotRtp;
  return run(srtp_unprotect, context_->session, buffer, length, 0);
}

core::Result<std::size_t> SrtpSession::unprotect_rtcp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (length > buffer.size()) return Fault::kTooLarge;
  if (length < 8 + 4 + kMinimumTag) return Fault::kTruncated;  // header, SSRC, SRTCP index, tag
  if ((buffer[0] >> 6) != 2) return Fault::kNotRtp;
  return run(srtp_unprotect_rtcp, context_->session, buffer, length, 0);
}

}  // namespace surgilink::media
