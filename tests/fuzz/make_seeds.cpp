// surgilink_fuzz_seeds OUT: writes the seed inputs of every fuzz target into OUT/<target>/, built from the
// golden bytes, HL7 messages, vitals files and configs in the repository and from the libraries' own
// encoders, in each target's input layout (see the comment at the top of each *_fuzz.cpp). The committed
// corpora (tests/fuzz/corpus) started from these, merged with what the fuzzers found (README: Fuzzing).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "control_messages.hpp"
#include "fuzz_support.hpp"
#include "golden_bytes.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/audit_log.hpp"
#include "surgilink/session/control_framing.hpp"
#include "surgilink/vitals/mllp_frame_reader.hpp"

namespace {

namespace fs = std::filesystem;
namespace pb = surgilink::control::v1;
using namespace surgilink;
using Bytes = std::vector<std::uint8_t>;

const fs::path kSource = SURGILINK_SOURCE_DIR;
fs::path out_root;

Bytes bytes_of(std::string_view s) { return {s.begin(), s.end()}; }
std::string text_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
Bytes hex_file(const std::string& name) {
  return testing::read_hex_file((kSource / "tests/data" / name).string());
}
Bytes prefixed(std::uint8_t first, const Bytes& rest) {
  Bytes out{first};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

void seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path folder = out_root / target;
  fs::create_directories(folder);
  std::ofstream out(folder / ("seed-" + name), std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// --- annotation
// ---------------------------------------------------------------------------------------------

annotation::Annotation drawing(const std::string& id, annotation::AnnotationKind kind,
                               std::vector<annotation::NormalisedPoint> points, std::string text = {}) {
  annotation::Annotation a;
  a.id = id;
  a.kind = kind;
  a.points = std::move(points);
  a.text = std::move(text);
  return a;
}

// What a mentor with author id `author` proposes while drawing a stroke, an arrow and a label, pointing,
// undoing and clearing.
std::vector<Bytes> mentor_proposals(const std::string& author) {
  using namespace annotation;
  std::vector<AnnotationOperation> ops = {
      Begin{drawing(author + "-1", AnnotationKind::kStroke, {{0.1F, 0.1F}, {0.2F, 0.25F}})},
      Extend{author + "-1", {{0.3F, 0.3F}, {0.35F, 0.4F}}},
      Commit{author + "-1"},
      Begin{drawing(author + "-2", AnnotationKind::kArrow, {{0.5F, 0.5F}, {0.6F, 0.4F}})},
      Begin{drawing(author + "-3", AnnotationKind::kLabel, {{0.7F, 0.2F}}, "Ureter")},
      Pointer{{0.45F, 0.55F}},
      Delete{author + "-2"},
      Undo{},
      Clear{ClearScope::kMine}};
  std::vector<Bytes> out;
  for (const auto& op : ops) out.push_back(encode_proposal(op));
  return out;
}

void append_record(Bytes& out, std::uint8_t selector, const Bytes& body) {
  out.push_back(selector);
  out.push_back(static_cast<std::uint8_t>(body.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

void annotation_seeds() {
  Bytes m1, m2_and_surgeon, wire;
  for (const Bytes& p : mentor_proposals("m1")) append_record(m1, 0, p);              // m1
  for (const Bytes& p : mentor_proposals("m2")) append_record(m2_and_surgeon, 4, p);  // m2
  append_record(m2_and_surgeon, 1, {});                                               // the surgeon clears
  append_record(m2_and_surgeon, 2 + 4 * 20, {});  // 2 s pass: the pointer expires
  append_record(wire, 0, hex_file("annotation/proposal_extend_v1.hex"));
  append_record(wire, 8, mentor_proposals("o1").front());  // an observer's proposal (refused)
  append_record(wire, 3, hex_file("annotation/operation_begin_stroke_v1.hex"));
  append_record(wire, 7, hex_file("annotation/scene_v1.hex"));
  seed("annotation_wire", "mentor_m1", m1);
  seed("annotation_wire", "mentor_m2_surgeon", m2_and_surgeon);
  seed("annotation_wire", "golden", wire);
}

// --- control channel
// ----------------------------------------------------------------------------------------

// One frame of control_session's input: console/event byte, then the envelope.
void append_control(Bytes& out, int console, int event, const pb::Envelope& e) {
  Bytes body{static_cast<std::uint8_t>(event * 8 + console)};
  const std::string wire = e.SerializeAsString();
  body.insert(body.end(), wire.begin(), wire.end());
  session::append_frame(body, out);
}
void append_event(Bytes& out, int console, int event) { append_control(out, console, event, pb::Envelope{}); }

pb::Envelope hello(std::uint32_t version = session::kProtocolVersion) {
  pb::Envelope e = session::envelope();
  e.mutable_hello()->set_protocol_version(version);
  e.mutable_hello()->set_software("surgilink-console 0.1.0");
  e.mutable_hello()->set_media_port(5004);
  return e;
}
pb::Envelope proposal(const Bytes& wire) {
  pb::Envelope e = session::envelope();
  e.set_annotation_proposal(std::string(wire.begin(), wire.end()));
  return e;
}
pb::Envelope flag(pb::VitalsRow row, bool flagged) {
  pb::Envelope e = session::envelope();
  e.mutable_vitals_flag()->set_row(row);
  e.mutable_vitals_flag()->set_flagged(flagged);
  return e;
}
pb::Envelope goodbye() {
  pb::Envelope e = session::envelope();
  e.mutable_goodbye();
  return e;
}

void control_seeds() {
  // Mentor A (c1) draws, mentor B (c2) waits for the pen, observer D watches and tries to flag.
  Bytes drawing_session;
  append_control(drawing_session, 0, 0, hello());
  append_control(drawing_session, 1, 0, hello());
  append_control(drawing_session, 3, 0, hello());
  for (const Bytes& p : mentor_proposals("c1")) append_control(drawing_session, 0, 0, proposal(p));
  append_control(drawing_session, 1, 0, proposal(mentor_proposals("c2").front()));
  append_control(drawing_session, 0, 0, flag(pb::VITALS_ROW_SPO2, true));
  append_control(drawing_session, 3, 0, flag(pb::VITALS_ROW_HR, true));
  append_control(drawing_session, 0, 0, goodbye());  // the pen passes to B (c2)
  for (const Bytes& p : mentor_proposals("c2")) append_control(drawing_session, 1, 0, proposal(p));
  seed("control_session", "drawing", drawing_session);

  // The surgeon's controls, a lost link and the pen waiting, a second device, the access list reloaded.
  Bytes surgeon;
  append_control(surgeon, 0, 0, hello());
  append_control(surgeon, 2, 0, hello());
  append_control(surgeon, 5, 0, hello());   // a stranger: refused
  append_control(surgeon, 4, 0, hello(1));  // an old console: refused
  append_control(surgeon, 0, 0, proposal(mentor_proposals("c1").front()));
  for (int event = 19; event <= 24; ++event) append_event(surgeon, 3, event);
  append_event(surgeon, 0, 16);  // A's link is lost: the pen waits
  append_event(surgeon, 0, 26);
  append_control(surgeon, 6, 0, hello());  // A again, from another device
  append_control(surgeon, 6, 0, proposal(mentor_proposals("c3").front()));
  append_event(surgeon, 1, 25);  // A becomes an observer
  append_event(surgeon, 0, 18);
  append_event(surgeon, 0, 27);
  append_event(surgeon, 0, 28);
  seed("control_session", "surgeon_controls", surgeon);

  seed("control_framing", "golden_flag_roster",
       prefixed(0, hex_file("control/flag_roster_controls_goodbye_v2.hex")));
  seed("control_framing", "golden_welcome", prefixed(5, hex_file("control/welcome_v2.hex")));
  seed("control_framing", "session", prefixed(7, drawing_session));
}

// --- media
// --------------------------------------------------------------------------------------------------

Bytes rtp_packet(std::size_t payload, std::uint8_t first_byte = 0x80) {
  media::RtpHeader h;
  h.marker = true;
  h.payload_type = 96;
  h.sequence = 0xfffe;
  h.timestamp = 90000;
  h.ssrc = 0x5eed5eed;
  Bytes p(12 + payload, 0x42);
  media::write_rtp_header(p, h);
  p[0] = first_byte;
  return p;
}
Bytes rtcp_pli() {
  Bytes p(12);
  media::write_pli(p, 1, 0x5eed5eed);
  return p;
}

void media_seeds() {
  seed("rtp_packet", "golden_timing_extension", hex_file("rtp_timing_extension_v1.hex"));
  seed("rtp_packet", "plain", rtp_packet(40));
  Bytes csrc_padding = rtp_packet(20, 0x80 | 0x20 | 2);  // two CSRCs, padding
  csrc_padding.back() = 4;
  seed("rtp_packet", "csrc_padding", csrc_padding);
  Bytes compound = rtcp_pli();
  const Bytes pli = rtcp_pli();
  compound.insert(compound.end(), pli.begin(), pli.end());
  seed("rtp_packet", "rtcp_compound_pli", compound);

  for (const auto profile : {media::SrtpProfile::kAeadAes128Gcm, media::SrtpProfile::kAes128CmHmacSha1_80}) {
    const bool cm = profile == media::SrtpProfile::kAes128CmHmacSha1_80;
    const auto master =
        std::span<const std::uint8_t>(fuzz::kFuzzSrtpMaster)
            .first(media::srtp_master_key_size(profile) + media::srtp_master_salt_size(profile));
    for (const bool rtcp : {false, true}) {
      const std::uint8_t mode = static_cast<std::uint8_t>((cm ? 1 : 0) | (rtcp ? 2 : 0));
      const std::string name = std::string(cm ? "aes_cm_" : "gcm_") + (rtcp ? "rtcp" : "rtp");
      media::SrtpSession outbound(profile, media::SrtpSession::Direction::kOutbound, master);
      Bytes packet = rtcp ? rtcp_pli() : hex_file("rtp_timing_extension_v1.hex");
      seed("srtp_unprotect", "plain_" + name, prefixed(mode | 4, packet));
      const std::size_t length = packet.size();
      packet.resize(length + media::kSrtpMaxTrailer);
      auto sealed = rtcp ? outbound.protect_rtcp(packet, length) : outbound.protect_rtp(packet, length);
      if (!sealed) throw std::runtime_error("protecting a seed failed");
      packet.resize(sealed.value());
      seed("srtp_unprotect", "protected_" + name, prefixed(mode, packet));
    }
  }
}

// --- vitals
// -------------------------------------------------------------------------------------------------

void vitals_seeds() {
  seed("vitals_packet", "golden", hex_file("vitals_packet_v1.hex"));

  std::string stream;
  for (const auto& entry : fs::directory_iterator(kSource / "tests/data/hl7")) {
    if (entry.path().extension() != ".hl7") continue;
    const std::string name = entry.path().stem().string();
    const std::string message = text_file(entry.path());
    seed("hl7_parser", name, bytes_of(message));
    if (name.starts_with("escapes") || name.starts_with("bad_encoding") || name.starts_with("mindray"))
      seed("hl7_escapes", name, bytes_of(message));
    if (stream.size() < 4096) stream += vitals::mllp_frame(message) + "\r\n";
  }
  seed("hl7_escapes", "sequences",
       bytes_of("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D0A\\g\\.br\\h\\H\\i\\N\\\\Zq\\"));
  seed("mllp_framing", "messages_whole", prefixed(11, bytes_of(stream)));
  seed("mllp_framing", "messages_bytewise", prefixed(0, bytes_of(stream)));
  seed("mllp_framing", "restart_and_stray",
       prefixed(3, bytes_of("\x0bMSH|^~\\&|lost\x0b" + vitals::mllp_frame("MSH|^~\\&|A") + "junk\r\n")));

  seed("vitals_file_replay", "example_csv",
       prefixed(0, bytes_of(text_file(kSource / "configs/vitals-example.csv"))));
  seed("vitals_file_replay", "degf_csv_once",
       prefixed(2 | (30 << 2), bytes_of(text_file(kSource / "tests/data/vitals/or_export_degf.csv"))));
  seed("vitals_file_replay", "kpa_jsonl",
       prefixed(1 | (50 << 2), bytes_of(text_file(kSource / "tests/data/vitals/gateway_kpa_nulls.jsonl"))));
}

// --- configuration and logs
// ---------------------------------------------------------------------------------

void config_seeds() {
  std::string sender = text_file(kSource / "configs/sender.toml");
  // The fuzz target puts an access list next to the file it loads.
  const std::string access = "../var/certs/access.toml";
  if (const auto at = sender.find(access); at != std::string::npos)
    sender.replace(at, access.size(), "access.toml");
  seed("config_files", "sender", prefixed(0, bytes_of(sender)));
  seed("config_files", "console", prefixed(1, bytes_of(text_file(kSource / "configs/console.toml"))));
  seed("config_files", "vitals_codes",
       prefixed(2, bytes_of(text_file(kSource / "configs/vitals-codes.toml"))));
  seed("config_files", "vendor_codes",
       prefixed(2, bytes_of(text_file(kSource / "tests/data/hl7/vendor_codes.toml"))));

  std::string people;
  const char* names[] = {"Dr. A Mentor", "Observer B", "Dr. C"};
  for (int i = 0; i < 3; ++i) {
    people += "[[person]]\nfingerprint = \"sha256:" + std::string(64, static_cast<char>('0' + i)) + "\"\n";
    people +=
        std::string("name = \"") + names[i] + "\"\nrole = \"" + (i == 1 ? "observer" : "mentor") + "\"\n\n";
  }
  seed("access_list", "three_people", bytes_of(people));

  const fs::path log_file = out_root / "audit-seed.log";
  fs::remove(log_file);
  {
    session::AuditLog log(log_file);
    const auto t = core::CaptureTime{} + std::chrono::seconds(1'700'000'000);
    log.append(t, "join", {{"console", "Dr. A"}, {"role", "mentor"}, {"author", "c1"}});
    log.append(t + std::chrono::seconds(1), "pen", {{"holder", "Dr. A"}, {"why", "first mentor to join"}});
    log.append(t + std::chrono::seconds(2), "annotation", {{"seq", "1"}, {"op", "begin"}, {"id", "c1-1"}});
    log.append(t + std::chrono::seconds(3), "leave", {{"console", "Dr. A"}, {"why", "said goodbye"}});
  }
  seed("audit_log", "four_events", bytes_of(text_file(log_file)));
  fs::remove(log_file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT-FOLDER\n", argv[0]);
    return 2;
  }
  out_root = argv[1];
  annotation_seeds();
  control_seeds();
  media_seeds();
  vitals_seeds();
  config_seeds();
  std::printf("seeds written to %s\n", out_root.c_str());
  return 0;
}
