// Vital signs end to end with the real programs: the sender's simulator and its HL7 MLLP listener fed by
// Debian's python3-hl7 client (mllp_send), through SRTP to a headless console's JSON status.
#include <csignal>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using json = nlohmann::json;

std::string hl7_file(const std::string& name) {
  return std::string(SURGILINK_SOURCE_DIR) + "/tests/data/hl7/" + name;
}

// Sends one message file with mllp_send (Debian python3-hl7, /usr/bin) and returns the ACK it printed,
// segments on lines.
std::string mllp_send(int port, const std::string& file, const std::filesystem::path& dir,
                      const std::string& name) {
  const auto r =
      run_program({"/usr/bin/mllp_send", "--loose", "-p", std::to_string(port), "-f", file, "127.0.0.1"}, dir,
                  name, milliseconds{20000});
  EXPECT_EQ(r.exit_code, 0) << "mllp_send " << file << ": " << r.err;
  std::string ack = r.out;
  for (auto& c : ack) {
    if (c == '\r') c = '\n';
  }
  return ack;
}

TEST(VitalsInterop, Hl7FromMllpSendReachesTheConsoleInCanonicalUnits) {
  const auto dir = scratch_dir("vitals-hl7");
  RunningSender sender(write_sender_config(dir), dir / "sender.log",
                       {"--vitals", "hl7:0", "--bind", "127.0.0.1"});
  ASSERT_NE(sender.mllp_port(), 0) << "the sender reported no MLLP port";
  tools::ChildProcess console(
      {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
       "--headless", "--status-json", "--seconds", "30"},
      (dir / "console.err").string());
  const json connected =
      wait_for_status(console, 10, [](const json& s) { return s["state"] == "connected"; });
  ASSERT_EQ(connected["state"], "connected") << connected.dump();
  EXPECT_TRUE(connected["vitals"].empty()) << "nothing was sent yet: " << connected["vitals"].dump();

  // GE-style kPa and UCUM/MDC units: the console sees mmHg.
  EXPECT_THAT(mllp_send(sender.mllp_port(), hl7_file("kpa_units.hl7"), dir, "kpa"),
              HasSubstr("MSA|AA|CS-55012"));
  const json kpa =
      wait_for_status(console, 6, [](const json& s) { return s["vitals"].contains("nibp_sys"); });
  ASSERT_TRUE(kpa["vitals"].contains("nibp_sys")) << kpa.dump();
  EXPECT_NEAR(kpa["vitals"]["nibp_sys"].get<double>(), 16.0 * 7.50062, 0.02);
  EXPECT_NEAR(kpa["vitals"]["nibp_dia"].get<double>(), 10.7 * 7.50062, 0.02);
  EXPECT_NEAR(kpa["vitals"]["nibp_mean"].get<double>(), 12.5 * 7.50062, 0.02);
  EXPECT_NEAR(kpa["vitals"]["etco2"].get<double>(), 5.1 * 7.50062, 0.02);
  EXPECT_NEAR(kpa["vitals"]["temp"].get<double>(), 36.9, 0.001);

  // A message with a bad segment: AE naming the problem, and none of its values (hr 66, spo2 97) delivered.
  const std::string ae = mllp_send(sender.mllp_port(), hl7_file("bad_segment.hl7"), dir, "bad");
  EXPECT_THAT(ae, HasSubstr("MSA|AE|BAD-0005"));
  EXPECT_THAT(ae, HasSubstr("segment 3"));

  // An IHE PCD-01 message (Philips-style MDC codes, several OBX, device hierarchy) afterwards.
  EXPECT_THAT(mllp_send(sender.mllp_port(), hl7_file("intellivue_pcd01.hl7"), dir, "pcd01"),
              HasSubstr("MSA|AA|MSG00001"));
  const json pcd = wait_for_status(console, 6, [](const json& s) { return s["vitals"].contains("hr"); });
  ASSERT_TRUE(pcd["vitals"].contains("hr")) << pcd.dump();
  EXPECT_EQ(pcd["vitals"]["hr"].get<double>(), 72.0) << "66 would mean the refused message leaked through";
  EXPECT_EQ(pcd["vitals"]["spo2"].get<double>(), 97.0);
  EXPECT_EQ(pcd["vitals"]["abp_sys"].get<double>(), 118.0);
  EXPECT_EQ(pcd["vitals"]["abp_mean"].get<double>(), 90.0);
  EXPECT_NEAR(pcd["vitals"]["nibp_sys"].get<double>(), 16.0 * 7.50062, 0.02) << "earlier values stay";

  // IEEE 11073 special values and empty values: "not available" is null, not a number and not absent.
  EXPECT_THAT(mllp_send(sender.mllp_port(), hl7_file("not_available.hl7"), dir, "na"), HasSubstr("MSA|AA"));
  const json na = wait_for_status(console, 6, [](const json& s) { return s["vitals"]["hr"].is_null(); });
  EXPECT_TRUE(na["vitals"]["hr"].is_null()) << na.dump();
  EXPECT_TRUE(na["vitals"]["spo2"].is_null());
  EXPECT_TRUE(na["vitals"]["etco2"].is_null());
  EXPECT_EQ(na["vitals"]["pr"].get<double>(), 68.0);

  console.signal(SIGINT);
  EXPECT_EQ(console.wait(milliseconds{10000}).value_or(-1), 0);
  EXPECT_EQ(sender.stop(), 0);
}

TEST(Vitals, SimulatedMonitorReachesTheConsoleWithWholeWaveforms) {
  const auto dir = scratch_dir("vitals-simulator");
  RunningSender sender(write_sender_config(dir), dir / "sender.log", {"--vitals", "simulator"});
  tools::ChildProcess console(
      {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
       "--headless", "--status-json", "--report-json", (dir / "console.json").string()},
      (dir / "console.err").string());
  // The simulator makes 13 numerics once a second: each one reaches the console.
  const auto every_numeric = [](const json& s) {
    return s.is_object() && s.contains("vitals") && s["vitals"].size() >= 13;
  };
  const json status = wait_for_status(console, 30, every_numeric);
  ASSERT_TRUE(every_numeric(status)) << status.dump();
  EXPECT_GT(status["vitals"]["hr"].get<double>(), 40.0);
  EXPECT_LT(status["vitals"]["hr"].get<double>(), 200.0);
  EXPECT_GT(status["vitals"]["spo2"].get<double>(), 85.0);
  console.signal(SIGINT);
  ASSERT_EQ(console.wait(milliseconds{10000}).value_or(-1), 0) << read_text(dir / "console.err");
  const json report = json::parse(read_text(dir / "console.json"));
  EXPECT_GE(report["vitals_numerics"].get<int>(), 13);
  // The waveforms (ECG, pleth, ABP, CO2 at 500 Hz) arrive whole: none of their samples lost on loopback.
  EXPECT_GT(report["vitals_waveform_samples"].get<int>(), 0);
  EXPECT_EQ(report["vitals_waveform_samples_lost"].get<int>(), 0);
  // Their latency is measured (its target is the bench's vitals_p95_ms).
  EXPECT_FALSE(report["vitals_ms"].is_null());
  EXPECT_EQ(sender.stop(), 0);
}

}  // namespace
}  // namespace surgilink::testing
