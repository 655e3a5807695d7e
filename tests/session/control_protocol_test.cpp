// Golden bytes of the control protocol, version 2 (session/proto/control.proto): a change of the wire form
// must be deliberate (a new version), never a side effect.
#include <gtest/gtest.h>

#include "control_messages.hpp"
#include "golden_bytes.hpp"

namespace surgilink::session {
namespace {

std::vector<std::uint8_t> golden(const std::string& name) {
  return testing::read_hex_file(std::string(SURGILINK_TEST_DATA) + "/control/" + name);
}

std::vector<std::uint8_t> framed(const pb::Envelope& e) { return *frame_of(e); }

TEST(ControlProtocol, WelcomeV2GoldenBytes) {
  pb::Envelope e = envelope();
  auto* w = e.mutable_welcome();
  w->set_protocol_version(2);
  w->set_display_name("Dr. Dev Mentor");
  w->set_role(pb::ROLE_MENTOR);
  w->set_media_port(7401);
  w->set_srtp_profile("AEAD_AES_128_GCM");
  w->set_video_ssrc(0x51510001);
  w->set_video_payload_type(96);
  w->set_capture_time_extension_id(1);
  w->set_send_time_extension_id(2);
  w->set_site_name("OR 3");
  w->set_case_pseudonym("CASE-0001");
  w->set_video_profile("1080p30");
  w->set_vitals_ssrc(0x51510002);
  w->set_vitals_payload_type(100);
  w->set_annotation_author("c2");
  const auto bytes = framed(e);
  EXPECT_EQ(bytes, golden("welcome_v2.hex")) << testing::to_hex_lines(bytes);
  pb::Envelope back;
  ASSERT_TRUE(back.ParseFromArray(bytes.data() + 4, static_cast<int>(bytes.size() - 4)));
  EXPECT_EQ(from_wire(back.welcome().role()), Role::kMentor);
}

TEST(ControlProtocol, VitalsFlagRosterControlsAndGoodbyeV2GoldenBytes) {
  pb::Envelope flag = envelope();
  flag.mutable_vitals_flag()->set_row(to_wire(vitals::VitalsRow::kAbp));
  flag.mutable_vitals_flag()->set_flagged(true);
  pb::Envelope roster = envelope();
  auto* entry = roster.mutable_roster()->add_consoles();
  entry->set_display_name("Dev Observer");
  entry->set_role(to_wire(Role::kObserver));
  entry->set_annotation_author("c1");
  pb::Envelope controls = envelope();
  controls.mutable_or_controls()->set_pen_holder("Dr. Dev Mentor");
  controls.mutable_or_controls()->set_pen_holder_author("c2");
  controls.mutable_or_controls()->add_flagged_vitals(to_wire(vitals::VitalsRow::kSpo2));
  controls.mutable_or_controls()->set_recording(true);
  pb::Envelope bye = envelope();
  bye.mutable_goodbye();
  std::vector<std::uint8_t> all;
  for (const auto* e : {&flag, &roster, &controls, &bye}) {
    const auto f = framed(*e);
    all.insert(all.end(), f.begin(), f.end());
  }
  EXPECT_EQ(all, golden("flag_roster_controls_goodbye_v2.hex")) << testing::to_hex_lines(all);
}

// Pre-flight (issue 15): new optional messages; every older message keeps its bytes (the tests above).
TEST(ControlProtocol, PreflightV2GoldenBytes) {
  pb::Envelope hello = envelope();
  hello.mutable_hello()->set_protocol_version(2);
  hello.mutable_hello()->set_software("surgilink-console (pre-flight)");
  hello.mutable_hello()->set_media_port(40000);
  hello.mutable_hello()->mutable_preflight()->set_duration_ms(10000);
  pb::Envelope granted = envelope();
  auto* g = granted.mutable_preflight_granted();
  g->set_media_port(7401);
  g->set_srtp_profile("AEAD_AES_128_GCM");
  g->set_probe_ssrc(0x50464c01);
  g->set_probe_payload_type(101);
  g->set_duration_ms(10000);
  g->set_max_rate_bps(9'000'000);
  g->set_site_name("OR 3");
  g->set_video_profile("1080p30");
  g->set_display_name("Dr. Dev Mentor");
  pb::Envelope result = envelope();
  auto* r = result.mutable_preflight_result();
  r->set_rtt_p50_ms(80.5);
  r->set_rtt_p95_ms(88.5);
  r->set_jitter_to_mentor_ms(1.5);
  r->set_jitter_to_or_ms(2);
  r->set_loss_to_mentor(0.02);
  r->set_loss_to_or(0.0);
  r->set_achievable_bps(5'750'000);
  r->set_rate_capped(false);
  r->set_rate_limited_by("loss");
  r->set_verdict("720p30");
  r->set_sentence("This link carries 720p30.");
  r->set_duration_ms(10000);
  std::vector<std::uint8_t> all;
  for (const auto* e : {&hello, &granted, &result}) {
    const auto f = framed(*e);
    all.insert(all.end(), f.begin(), f.end());
  }
  EXPECT_EQ(all, golden("preflight_v2.hex")) << testing::to_hex_lines(all);
}

TEST(ControlProtocol, RowAndRoleNumbersOutsideThisVersionAreNotGuessed) {
  EXPECT_EQ(from_wire(0), std::nullopt);
  EXPECT_EQ(from_wire(10), std::nullopt);
  EXPECT_EQ(from_wire(-1), std::nullopt);
  EXPECT_EQ(from_wire(1), vitals::VitalsRow::kHr);
  EXPECT_EQ(from_wire(9), vitals::VitalsRow::kBis);
  EXPECT_EQ(from_wire(pb::ROLE_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(from_wire(static_cast<pb::Role>(7)), std::nullopt);
  for (const auto& r : vitals::all_rows()) EXPECT_EQ(from_wire(to_wire(r.row)), r.row);
}

}  // namespace
}  // namespace surgilink::session
