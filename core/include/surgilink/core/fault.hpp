#pragma once
// Why a packet, message or frame was rejected: one small error type for every per-packet path, with
// Boost.Outcome's result<T> and a counter per fault.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include <boost/outcome/std_result.hpp>

namespace surgilink::core {

// Every reason SurgiLink drops input. Values index FaultCounters; append only.
enum class Fault : std::uint8_t {
  kTruncated = 1,         // shorter than its own header says
  kNotRtp,                // not an RTP/RTCP packet (wrong version, wrong payload type range)
  kAuthenticationFailed,  // SRTP/SRTCP tag did not verify: wrong key or tampered
  kReplayed,              // SRTP replay protection: seen before or too old
  kUnknownStream,         // an SSRC or payload type this session did not negotiate
  kMalformed,             // parses, but a field has an impossible value
  kTooLarge,              // over the size limit for its kind
  kUnsupportedVersion,    // a protocol or format version we do not speak
  kNotAuthorised,         // the sender's role check refused it
  kRateLimited,           // over the configured rate
  kLate,                  // arrived after the jitter buffer gave up on it
  kInternal,              // a library call failed for a reason that is not the input's fault
  kCount
};

const std::error_category& fault_category();
std::error_code make_error_code(Fault f);
const char* describe(Fault f);

template <typename T>
using Result = boost::outcome_v2::std_result<T>;

// Counts faults by kind; any thread may add, any thread may read.
class FaultCounters {
 public:
  void add(Fault f) { counts_[static_cast<std::size_t>(f)].fetch_add(1, std::memory_order_relaxed); }
  // Counts the fault carried by an error_code of fault_category; other errors count as kInternal.
  void add(const std::error_code& ec);
  std::uint64_t get(Fault f) const {
    return counts_[static_cast<std::size_t>(f)].load(std::memory_order_relaxed);
  }
  std::uint64_t total() const;

 private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Fault::kCount)> counts_{};
};

}  // namespace surgilink::core

template <>
struct std::is_error_code_enum<surgilink::core::Fault> : std::true_type {};
