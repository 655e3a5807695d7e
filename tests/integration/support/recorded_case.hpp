#pragma once
// The recorded case the review tests share (issue 16): a real sender records the synthetic scene with the
// simulated vitals (tachycardia) while a scripted mentor console draws, then the mentor's link is cut.

#include <filesystem>

namespace surgilink::testing {

// The folder holding the shared recording (one sub-folder; beside it, in its parent, the sender's
// sender-report.json and the mentor console's mentor-status.jsonl): made at the first call after the sender
// or the console was built again, under a lock so that tests run in parallel wait for the first to make it.
// Empty (with a fatal gtest failure) when it could not be made.
std::filesystem::path shared_recorded_case();

}  // namespace surgilink::testing
