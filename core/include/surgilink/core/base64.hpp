#pragma once
// Base64 (RFC 4648 §4, with padding): SDP keys, pictures inlined into an HTML report.

#include <cstdint>
#include <span>
#include <string>

namespace surgilink::core {

// Any thread.
std::string base64(std::span<const std::uint8_t> data);

}  // namespace surgilink::core
