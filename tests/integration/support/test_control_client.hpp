#pragma once
// A console's control channel driven step by step from a test: real TLS 1.3 with a chosen certificate,
// real protobuf messages, blocking calls on the test's thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/session/control_framing.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::testing {

// What the sender answered to a hello.
struct HelloAnswer {
  bool welcomed = false;
  std::string refusal;    // the sender's reason, when refused
  std::string tls_error;  // when the connection failed before an answer
  std::uint32_t media_port = 0;
  std::uint32_t video_ssrc = 0;
  std::string srtp_profile;
  std::string role;
  std::string annotation_author;
};

// One control message read after the welcome.
struct ControlMessage {
  std::string kind;   // "annotation_operation", "annotation_refused", "annotation_scene", "or_controls",
                      // "roster", "clock_pong", "refusal", "other"
  std::string bytes;  // the annotation bytes, the refusal's reason, "pen=c1 revoked=0 hidden=0", or "Dr.
                      // A/mentor/c1,..." (roster)
};

class TestControlClient {
 public:
  // `receive_buffer_bytes` > 0 shrinks the socket's receive buffer (a console that reads slowly or never).
  explicit TestControlClient(const session::TlsFiles& identity, int receive_buffer_bytes = 0);
  ~TestControlClient();
  // Connects to 127.0.0.1:port, says hello (with `media_port` and `protocol_version`), reads the answer.
  HelloAnswer hello(int port, std::uint32_t media_port,
                    std::uint32_t protocol_version = session::kProtocolVersion,
                    const std::string& software = "surgilink integration test");
  // Sends an annotation proposal (annotation::encode_proposal bytes) after a welcome.
  void send_annotation_proposal(const std::vector<std::uint8_t>& bytes);
  // A mentor flags a vitals row ("abp") for the surgeon; a key that is no row is sent as an unknown row.
  void send_vitals_flag(const std::string& vital, bool flagged);
  // The same with the row's wire number (control.proto VitalsRow), known to this version or not.
  void send_vitals_flag_row(int wire_row, bool flagged);
  // The console's glass-to-glass figures, as a console sends them once a second.
  void send_latency_report(double p50_ms, double p95_ms, std::uint32_t samples);
  // The console leaves on purpose (its pen passes at once).
  void send_goodbye();
  // A clock ping, as a console sends one a second (it also keeps the connection alive).
  void send_clock_ping();
  // A picture loss indication (RTCP PLI, SRTP-protected with this connection's keys) from UDP port
  // `from_media_port` (the port announced in the hello) to the sender's media port. After a welcome.
  void send_picture_loss(std::uint32_t from_media_port, int sender_media_port);
  // True when the sender closes this connection within `timeout` (messages before the end are skipped);
  // false when it is still open then.
  bool closed_by_sender(std::chrono::milliseconds timeout);
  // Closes the TCP connection without a TLS goodbye, as a crash or a cut cable would.
  void close_abruptly();
  // The next control message; nullopt when none comes within `timeout` or the connection ended.
  std::optional<ControlMessage> read_message(std::chrono::milliseconds timeout = std::chrono::milliseconds{
                                                 5000});
  // The SRTP keys this connection derived (valid after a welcome).
  session::SrtpKeys keys() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The bytes of the next message of `kind` ("roster", "or_controls", …), skipping others (at most 10, each
// waited for at most 5 s); nullopt if none came.
std::optional<std::string> next_message_of(TestControlClient& client, const std::string& kind);

// The next OrControls of `client` as text ("pen=c1 revoked=0 hidden=0 …"), skipping other messages.
std::string next_controls(TestControlClient& client);

// One command to the sender's surgeon-controls socket; its reply line.
std::string surgeon_command(const std::filesystem::path& socket, const std::string& command);

// A mentor's first point of a stroke, "<author>-<n>", as a console would propose it.
annotation::AnnotationOperation begin_stroke(const std::string& author, int n);

}  // namespace surgilink::testing
