#include "control_messages.hpp"

#include <openssl/crypto.h>

namespace surgilink::session {

ControlFrame frame_of(const pb::Envelope& envelope) {
  std::string body;
  envelope.SerializeToString(&body);
  auto frame = std::make_shared<std::vector<std::uint8_t>>();
  frame->reserve(body.size() + 4);
  append_frame(bytes_of(body), *frame);
  return frame;
}

void wipe(SrtpKeys& keys) {
  OPENSSL_cleanse(keys.sender_to_console.data(), keys.sender_to_console.size());
  OPENSSL_cleanse(keys.console_to_sender.data(), keys.console_to_sender.size());
}

pb::Role to_wire(Role role) { return role == Role::kMentor ? pb::ROLE_MENTOR : pb::ROLE_OBSERVER; }

std::optional<Role> from_wire(pb::Role role) {
  if (role == pb::ROLE_MENTOR) return Role::kMentor;
  if (role == pb::ROLE_OBSERVER) return Role::kObserver;
  return std::nullopt;
}

pb::VitalsRow to_wire(vitals::VitalsRow row) { return static_cast<pb::VitalsRow>(static_cast<int>(row) + 1); }

std::optional<vitals::VitalsRow> from_wire(int row) {
  if (row < 1 || row > static_cast<int>(vitals::VitalsRow::kCount)) return std::nullopt;
  return static_cast<vitals::VitalsRow>(row - 1);
}

}  // namespace surgilink::session
