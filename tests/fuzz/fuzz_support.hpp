#pragma once
// What the fuzz targets share: reading structured values out of the fuzzer's bytes, checking an invariant
// (a broken one is a finding, like a crash), cutting a byte stream into chunks the way a socket might, and a
// scratch file for the loaders that take a path. The same code runs under libFuzzer (fuzz preset) and in
// the corpus-replay unit test (any build). One thread per process.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace surgilink::fuzz {

[[noreturn]] inline void invariant_broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
  std::abort();
}

}  // namespace surgilink::fuzz

// An invariant of the code under test: aborts (a finding) when it does not hold.
#define SURGILINK_FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::surgilink::fuzz::invariant_broken(#condition, __FILE__, __LINE__))

namespace surgilink::fuzz {

// Reads small values from the front of the fuzzer's input; past the end it yields zeros and empty spans, so
// every input is a valid program for the target.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : rest_(data, size) {}

  bool empty() const { return rest_.empty(); }
  std::size_t remaining() const { return rest_.size(); }

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const std::uint8_t b = rest_.front();
    rest_ = rest_.subspan(1);
    return b;
  }
  std::uint16_t u16() {
    const std::uint16_t hi = byte();
    return static_cast<std::uint16_t>((hi << 8) | byte());
  }
  // Up to `n` bytes.
  std::span<const std::uint8_t> take(std::size_t n) {
    const auto out = rest_.first(std::min(n, rest_.size()));
    rest_ = rest_.subspan(out.size());
    return out;
  }
  // A record: a 16-bit big-endian length, then that many bytes (fewer at the end of the input).
  std::span<const std::uint8_t> record() { return take(u16()); }
  std::span<const std::uint8_t> rest() { return take(rest_.size()); }

 private:
  std::span<const std::uint8_t> rest_;
};

inline std::string_view text_of(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Chunk sizes for delivering a stream as a socket might: a pattern chosen by `seed` - one byte at a time,
// or pseudo-random sizes from 1 to 2^k bytes (xorshift32, so a seed always gives the same cuts).
class ChunkSizes {
 public:
  explicit ChunkSizes(std::uint8_t seed) : state_(0x9E3779B9u ^ (std::uint32_t{seed} * 0x01000193u)) {
    max_bits_ = seed % 12;  // seed % 12 == 0: single bytes
  }
  std::size_t next() {
    if (max_bits_ == 0) return 1;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return 1 + state_ % (std::size_t{1} << max_bits_);
  }

 private:
  std::uint32_t state_;
  unsigned max_bits_;
};

// Hands `stream` to `deliver` in the pieces `cuts` gives, as long as `deliver` returns true.
template <typename Deliver>
void deliver_in_chunks(std::span<const std::uint8_t> stream, ChunkSizes cuts, Deliver deliver) {
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t n = std::min(cuts.next(), stream.size() - at);
    if (!deliver(stream.subspan(at, n))) return;
    at += n;
  }
}

// A scratch file of this process for loaders that take a path (configs, access lists, logs, recordings):
// `name` in a folder of its own under the temporary directory ($TMPDIR), overwritten with `bytes`.
class ScratchFile {
 public:
  ScratchFile() {
    folder_ = std::filesystem::temp_directory_path() / ("surgilink-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::filesystem::path& folder() const { return folder_; }

  std::filesystem::path write(const std::string& name, std::string_view bytes) const {
    const auto path = folder_ / name;
    // A new file rather than a truncated one: on ext4, truncating a file with unwritten data waits for it
    // to reach the disk (auto_da_alloc), which made the file-reading targets 15 times slower.
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    SURGILINK_FUZZ_CHECK(out.good());
    return path;
  }

 private:
  std::filesystem::path folder_;
};

// The SRTP master key || salt of the srtp_unprotect target and its seeds (30 bytes: AES-CM's salt; GCM takes
// the first 28). A fixed key, so that a protected seed stays valid for the target.
inline constexpr std::array<std::uint8_t, 30> kFuzzSrtpMaster{
    0x53, 0x75, 0x72, 0x67, 0x69, 0x4c, 0x69, 0x6e, 0x6b, 0x20, 0x66, 0x75, 0x7a, 0x7a, 0x20,
    0x6b, 0x65, 0x79, 0x2b, 0x73, 0x61, 0x6c, 0x74, 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35};

}  // namespace surgilink::fuzz
