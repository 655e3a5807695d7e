// Every fuzz target runs once over every file of its corpus (tests/fuzz/corpus/<target>/): the inputs that
// once found a bug stay fixed, and the targets keep compiling and running in the normal build. A target
// signals a finding by crashing or aborting (fuzz_support.hpp), which fails this test with its message.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#define SURGILINK_FUZZ_TARGET(name) extern "C" int surgilink_fuzz_##name(const std::uint8_t*, std::size_t);
#include "fuzz_targets.inc"
#undef SURGILINK_FUZZ_TARGET

namespace {

struct FuzzTarget {
  const char* name;
  int (*entry)(const std::uint8_t*, std::size_t);
};

const FuzzTarget kTargets[] = {
#define SURGILINK_FUZZ_TARGET(name) {#name, &surgilink_fuzz_##name},
#include "fuzz_targets.inc"
#undef SURGILINK_FUZZ_TARGET
};

const std::filesystem::path kCorpus = SURGILINK_FUZZ_CORPUS;

std::vector<std::uint8_t> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CorpusReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(CorpusReplay, EveryInputRunsWithoutAFinding) {
  const FuzzTarget& target = GetParam();
  const auto folder = kCorpus / target.name;
  ASSERT_TRUE(std::filesystem::is_directory(folder)) << folder << ": every target needs a corpus";
  std::size_t inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    const auto bytes = read_file(entry.path());
    EXPECT_EQ(target.entry(bytes.data(), bytes.size()), 0);
    ++inputs;
  }
  EXPECT_GE(inputs, 1u) << folder << " is empty";
}

INSTANTIATE_TEST_SUITE_P(Fuzz, CorpusReplay, ::testing::ValuesIn(kTargets),
                         [](const ::testing::TestParamInfo<FuzzTarget>& param) { return param.param.name; });

TEST(CorpusReplay, EveryCorpusBelongsToATarget) {
  std::set<std::string> names;
  for (const FuzzTarget& t : kTargets) names.insert(t.name);
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    EXPECT_TRUE(names.contains(entry.path().filename().string()))
        << entry.path() << " is the corpus of no fuzz target (tests/fuzz/CMakeLists.txt)";
  }
}

}  // namespace
