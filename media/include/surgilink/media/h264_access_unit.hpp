#pragma once
// What an encoded H.264 access unit (Annex B byte-stream, as x264enc writes it) is. Pure functions; any
// thread.

#include <cstdint>
#include <span>

namespace surgilink::media {

// Whether the access unit holds an IDR slice: a picture that needs no earlier one. With intra refresh,
// x264 also marks the first picture of each refresh wave as a sync point (SPS, PPS and a recovery-point
// SEI before a P slice); that picture is not an IDR and does not decode alone.
bool h264_access_unit_has_idr(std::span<const std::uint8_t> byte_stream);

}  // namespace surgilink::media
