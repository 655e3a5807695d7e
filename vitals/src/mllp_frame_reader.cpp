#include "surgilink/vitals/mllp_frame_reader.hpp"

#include <algorithm>

namespace surgilink::vitals {

namespace {
constexpr std::uint64_t kMaxStrayBytes = 1024;
}

std::string mllp_frame(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 3);
  out += kMllpStartBlock;
  out += message;
  out += kMllpEndBlock;
  out += kMllpCarriageReturn;
  return out;
}

void MllpFrameReader::feed(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && state_ != State::kFailed) {
    switch (state_) {
      case State::kOutside: {
        const char c = bytes[i++];
        if (c == kMllpStartBlock) {
          ++frames_started_;
          state_ = State::kInFrame;
          current_.clear();
          stray_since_frame_ = 0;
        } else if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
          ++stray_bytes_;
          if (++stray_since_frame_ > kMaxStrayBytes) {
            state_ = State::kFailed;
            failure_ = reject(core::Fault::kMalformed,
                              "more than 1 KiB of data outside MLLP frames (no 0x0B start block)");
          }
        }
        break;
      }
      case State::kInFrame: {
        // Copy the run up to the next framing byte in one go.
        const auto begin = bytes.begin() + static_cast<std::ptrdiff_t>(i);
        const auto special = std::find_if(begin, bytes.end(),
                                          [](char c) { return c == kMllpStartBlock || c == kMllpEndBlock; });
        const auto run = static_cast<std::size_t>(special - begin);
        const std::size_t room = max_frame_bytes_ - std::min(max_frame_bytes_, current_.size());
        if (run > room) {
          current_.append(bytes.substr(i, room));
          state_ = State::kFailed;
          failure_ = reject(core::Fault::kTooLarge,
                            "MLLP frame is over the " + std::to_string(max_frame_bytes_) + "-byte limit");
          break;
        }
        current_.append(bytes.substr(i, run));
        i += run;
        if (i == bytes.size()) break;
        if (bytes[i] == kMllpStartBlock) {
          ++restarted_frames_;  // the previous frame never ended: drop it, start again
          ++frames_started_;
          current_.clear();
        } else {
          state_ = State::kSawEndBlock;
        }
        ++i;
        break;
      }
      case State::kSawEndBlock: {
        if (bytes[i] != kMllpCarriageReturn) {
          state_ = State::kFailed;
          failure_ = reject(core::Fault::kMalformed, "MLLP end block 0x1C is not followed by 0x0D");
          break;
        }
        ++i;
        complete_.push_back(std::move(current_));
        current_.clear();
        state_ = State::kOutside;
        break;
      }
      case State::kFailed:
        break;
    }
  }
}

Checked<std::optional<std::string>> MllpFrameReader::next() {
  if (!complete_.empty()) {
    std::string message = std::move(complete_.front());
    complete_.pop_front();
    return std::optional<std::string>{std::move(message)};
  }
  if (failure_) return *failure_;
  return std::optional<std::string>{};
}

}  // namespace surgilink::vitals
