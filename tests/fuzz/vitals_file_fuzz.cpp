// libFuzzer target: a vitals replay file (CSV or JSON lines) must be read or refused with a ConfigError,
// never crash, hang or leak. Built only with clang (see tests/vitals/CMakeLists.txt); the first byte picks
// the format, the rest is the file. Run e.g.
//   build/<dir>/tests/vitals/surgilink_vitals_file_fuzz -max_len=65536 <corpus dir>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "surgilink/vitals/vitals_file_replay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace surgilink;
  if (size == 0) return 0;
  static const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::filesystem::path file = dir / ("surgilink_vitals_file_fuzz_" + std::to_string(::getpid()) +
                                            ((data[0] & 1) ? ".csv" : ".jsonl"));
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  try {
    const core::CaptureTime start{std::chrono::seconds{1'700'000'000}};
    vitals::VitalsFileReplay replay(file, start, true);
    (void)replay.due(start, start + std::chrono::seconds{5});
    const core::CaptureTime later = start + std::chrono::hours{1000};
    (void)replay.due(later, later + std::chrono::seconds{3});
  } catch (const std::runtime_error&) {  // core::ConfigError: refused, as it should be
  }
  return 0;
}
