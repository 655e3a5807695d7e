#pragma once
// Sound files for the voice tests: float samples to a 48 kHz mono 16-bit WAV (with sox, which the set-up
// installs).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace surgilink::testing {

// Writes `samples` (48 kHz mono) to `wav`; a failure fails the current test.
inline std::filesystem::path write_wav(const std::filesystem::path& wav, const std::vector<float>& samples) {
  const auto raw = wav.string() + ".f32";
  if (std::FILE* f = std::fopen(raw.c_str(), "wb")) {
    std::fwrite(samples.data(), sizeof(float), samples.size(), f);
    std::fclose(f);
  }
  const std::string cmd =
      "sox -q -t raw -r 48000 -e floating-point -b 32 -c 1 " + raw + " -b 16 " + wav.string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::filesystem::remove(raw);
  return wav;
}

}  // namespace surgilink::testing
