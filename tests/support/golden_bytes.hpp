#pragma once
// Golden-bytes files of wire formats (tests/data/*.hex): hex pairs, '#' starts a comment, whitespace ignored.

#include <cstdint>
#include <string>
#include <vector>

namespace surgilink::testing {

// Reads a golden file; a missing file or a bad character fails the current test (and returns what was read).
std::vector<std::uint8_t> read_hex_file(const std::string& path);

// Lower-case hex, 32 bytes a line, for writing a new golden file from a failing test's output.
std::string to_hex_lines(const std::vector<std::uint8_t>& bytes);

}  // namespace surgilink::testing
