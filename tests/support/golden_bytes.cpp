#include "golden_bytes.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace surgilink::testing {

std::vector<std::uint8_t> read_hex_file(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<std::uint8_t> bytes;
  std::string line;
  std::string digits;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    for (const char c : line) {
      if (std::isspace(static_cast<unsigned char>(c))) continue;
      EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c))) << "bad character '" << c << "' in " << path;
      digits.push_back(c);
    }
  }
  EXPECT_EQ(digits.size() % 2, 0u) << "odd number of hex digits in " << path;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

std::string to_hex_lines(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  char pair[4];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(pair, sizeof pair, "%02x", bytes[i]);
    out += pair;
    out += (i % 32 == 31 || i + 1 == bytes.size()) ? '\n' : ' ';
  }
  return out;
}

}  // namespace surgilink::testing
