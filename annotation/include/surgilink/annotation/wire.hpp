#pragma once
// The annotation wire form (annotation/proto/annotation.proto, version 1): proposals console -> sender,
// sequenced operations sender -> consoles, and scene snapshots for late joiners.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/refusal.hpp"
#include "surgilink/annotation/scene.hpp"

namespace surgilink::annotation {

inline constexpr std::uint32_t kWireVersion = 1;
// Largest proposal or sequenced operation a decoder accepts (the control channel's envelope limit).
inline constexpr std::size_t kMaxOperationBytes = 64 * 1024;
// Largest scene snapshot a decoder accepts (200 strokes of 4096 points is about 6.6 MB).
inline constexpr std::size_t kMaxSceneBytes = 16 * 1024 * 1024;
// Longest text or id a decoder accepts, in bytes (the sender's label limit is lower and counted in chars).
inline constexpr std::size_t kMaxWireTextBytes = 1024;

// Encoders never fail. Decoders never throw and refuse, with a reason: kTooLarge (over the byte limit),
// kUnsupportedVersion (version other than kWireVersion), kMalformed (not parseable, no operation, an unknown
// kind or clear scope, an odd number of coordinates, a coordinate not finite or outside [0, 1], a width or
// time to live not finite or negative, text over kMaxWireTextBytes, a duplicate id in a scene). Any thread.

std::vector<std::uint8_t> encode_proposal(const AnnotationOperation& op);
Checked<AnnotationOperation> decode_proposal(std::span<const std::uint8_t> bytes);

std::vector<std::uint8_t> encode(const SequencedOperation& op);
Checked<SequencedOperation> decode_operation(std::span<const std::uint8_t> bytes);

std::vector<std::uint8_t> encode_scene(const Scene& scene);
Checked<Scene> decode_scene(std::span<const std::uint8_t> bytes);

}  // namespace surgilink::annotation
