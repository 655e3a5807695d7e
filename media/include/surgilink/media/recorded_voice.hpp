#pragma once
// Reading a recorded voice file back (review, export): its Opus packets decoded, each packet's sound put at
// the capture time the recorder gave it, so that what was not sent (silence, a muted microphone, loss) stays
// silent and everything after it stays at its time.

#include <filesystem>
#include <span>
#include <string>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// Adds the sound of the voice file `file` (first packet captured at `first`: its manifest entry, or
// recorded_segment_start()) into `mix`, 48 kHz mono samples of which sample 0 was captured at `origin`: each
// packet's decoded samples at its capture time; what falls outside `mix` is left out. Returns the number of
// packets placed; -1 with `why` when the file cannot be read or decoded. Blocking; any thread.
long mix_recorded_voice(const std::filesystem::path& file, core::CaptureTime first, core::CaptureTime origin,
                        std::span<float> mix, std::string* why);

}  // namespace surgilink::media
