// A hung test program says where it stood (tests/integration/support/hang_report.hpp): the probe hangs on
// purpose; its report names the function it hangs in and it exits with kHungExitCode, well before any
// ctest timeout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "process/child_process.hpp"
#include "support/hang_report.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;

TEST(HangReport, AHungProgramPrintsEveryThreadsStackAndExits) {
  const auto dir = scratch_dir("hang-report");
  const auto err = dir / "probe.err";
  tools::ChildProcess probe({SURGILINK_HANG_REPORT_PROBE, "1"}, err.string());
  const auto code = probe.wait(milliseconds{60000});
  ASSERT_TRUE(code.has_value()) << "the probe was not ended by its own report";
  EXPECT_EQ(*code, kHungExitCode);
  const std::string report = read_text(err);
  EXPECT_THAT(report, ::testing::HasSubstr("HANG: this test program still runs after 1 s"));
  EXPECT_THAT(report, ::testing::HasSubstr("wait_for_what_never_comes")) << report;
  EXPECT_THAT(report, ::testing::HasSubstr("hang-report")) << "the report's own thread is named";
}

}  // namespace
}  // namespace surgilink::testing
