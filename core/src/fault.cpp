#include "surgilink/core/fault.hpp"

namespace surgilink::core {

const char* describe(Fault f) {
  switch (f) {
    case Fault::kTruncated:
      return "truncated";
    case Fault::kNotRtp:
      return "not an RTP/RTCP packet";
    case Fault::kAuthenticationFailed:
      return "authentication failed";
    case Fault::kReplayed:
      return "replayed";
    case Fault::kUnknownStream:
      return "unknown stream";
    case Fault::kMalformed:
      return "malformed";
    case Fault::kTooLarge:
      return "too large";
    case Fault::kUnsupportedVersion:
      return "unsupported version";
    case Fault::kNotAuthorised:
      return "not authorised";
    case Fault::kRateLimited:
      return "rate limited";
    case Fault::kLate:
      return "arrived too late";
    case Fault::kInternal:
      return "internal error";
    case Fault::kCount:
      break;
  }
  return "unknown fault";
}

namespace {
class FaultCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "surgilink"; }
  std::string message(int value) const override { return describe(static_cast<Fault>(value)); }
};
}  // namespace

const std::error_category& fault_category() {
  static const FaultCategory category;
  return category;
}

std::error_code make_error_code(Fault f) { return {static_cast<int>(f), fault_category()}; }

void FaultCounters::add(const std::error_code& ec) {
  if (ec.category() == fault_category() && ec.value() > 0 && ec.value() < static_cast<int>(Fault::kCount)) {
    add(static_cast<Fault>(ec.value()));
  } else {
    add(Fault::kInternal);
  }
}

std::uint64_t FaultCounters::total() const {
  std::uint64_t sum = 0;
  for (const auto& c : counts_) sum += c.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace surgilink::core
