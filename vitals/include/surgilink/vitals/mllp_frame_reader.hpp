#pragma once
// The Minimal Lower Layer Protocol (MLLP) framing of HL7 v2 over TCP: 0x0B, the message, 0x1C 0x0D.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "surgilink/vitals/rejection.hpp"

namespace surgilink::vitals {

inline constexpr char kMllpStartBlock = 0x0B;
inline constexpr char kMllpEndBlock = 0x1C;
inline constexpr char kMllpCarriageReturn = 0x0D;

// `message` wrapped in an MLLP frame. Any thread.
std::string mllp_frame(std::string_view message);

// Splits a byte stream into MLLP frames. Feed what the socket read; take complete messages out. A frame is
// never held beyond max_frame_bytes: the reader fails as soon as one grows past it. One thread.
class MllpFrameReader {
 public:
  explicit MllpFrameReader(std::size_t max_frame_bytes = 1024 * 1024) : max_frame_bytes_(max_frame_bytes) {}

  void feed(std::string_view bytes);

  // The next complete message (without its framing bytes); nullopt while none is complete. Once a frame is
  // over the limit (kTooLarge), an end block is not followed by a carriage return, or more than 1 KiB of
  // data arrives outside any frame (kMalformed), the reader stays failed: the connection cannot be
  // resynchronised. Messages completed before the failure are returned first.
  Checked<std::optional<std::string>> next();

  // A complete message is waiting to be taken by next().
  bool has_message() const { return !complete_.empty(); }
  // Start blocks seen so far (each begins a frame, complete or not).
  std::uint64_t frames_started() const { return frames_started_; }
  // A frame has started and not ended: if the stream ends now, that frame was truncated.
  bool in_frame() const { return state_ == State::kInFrame || state_ == State::kSawEndBlock; }
  // The frame being received (or the one that failed), up to max_frame_bytes: enough to address an ACK.
  std::string_view current_frame() const { return current_; }
  // Frames abandoned because a new start block arrived before their end block.
  std::uint64_t restarted_frames() const { return restarted_frames_; }
  // Bytes outside frames other than the line ends some senders put between frames.
  std::uint64_t stray_bytes() const { return stray_bytes_; }

 private:
  enum class State : std::uint8_t { kOutside, kInFrame, kSawEndBlock, kFailed };
  std::size_t max_frame_bytes_;
  State state_ = State::kOutside;
  std::string current_;
  std::deque<std::string> complete_;
  std::optional<Rejection> failure_;
  std::uint64_t restarted_frames_ = 0;
  std::uint64_t frames_started_ = 0;
  std::uint64_t stray_bytes_ = 0;
  std::uint64_t stray_since_frame_ = 0;
};

}  // namespace surgilink::vitals
