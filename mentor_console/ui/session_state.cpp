#include "session_state.hpp"

namespace surgilink::console {

ConnectionState connection_state_of(session::ConnectionState state) {
  switch (state) {
    case session::ConnectionState::kConnecting:
      return ConnectionState::Connecting;
    case session::ConnectionState::kConnected:
      return ConnectionState::Connected;
    case session::ConnectionState::kReconnecting:
      return ConnectionState::Reconnecting;
    case session::ConnectionState::kRefused:
      return ConnectionState::Refused;
    case session::ConnectionState::kStopped:
      return ConnectionState::Stopped;
  }
  return ConnectionState::Stopped;
}

Role role_of(std::optional<session::Role> role) {
  if (!role) return Role::None;
  switch (*role) {
    case session::Role::kMentor:
      return Role::Mentor;
    case session::Role::kObserver:
      return Role::Observer;
  }
  return Role::None;
}

}  // namespace surgilink::console
