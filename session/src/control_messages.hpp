#pragma once
// The control protocol's messages (control.proto) as the session's parts build and read them. Private to
// session/: the generated types never reach a public header.

#include <optional>
#include <span>
#include <string>

#include "control.pb.h"
#include "surgilink/session/access_list.hpp"
#include "surgilink/session/control_connection.hpp"
#include "surgilink/session/tls_identity.hpp"
#include "surgilink/vitals/vitals_row.hpp"

namespace surgilink::session {

namespace pb = surgilink::control::v1;

// An envelope of this protocol version, ready to fill.
inline pb::Envelope envelope() {
  pb::Envelope e;
  e.set_version(kProtocolVersion);
  return e;
}

// Serialises once; the frame can go to any number of connections.
ControlFrame frame_of(const pb::Envelope& envelope);

pb::Role to_wire(Role role);
std::optional<Role> from_wire(pb::Role role);
pb::VitalsRow to_wire(vitals::VitalsRow row);
// Nullopt for VITALS_ROW_UNSPECIFIED and for numbers this version does not know.
std::optional<vitals::VitalsRow> from_wire(int row);

// Overwrites key material in memory (OPENSSL_cleanse: not optimised away) once libsrtp holds its own copy.
void wipe(SrtpKeys& keys);

inline std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace surgilink::session
