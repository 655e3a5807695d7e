#pragma once
// The console's connection state and role as QML compares them (mentor.state === ConnectionState.Connected,
// mentor.role === Role.Mentor).

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <optional>

#include "surgilink/session/access_list.hpp"
#include "surgilink/session/console_session.hpp"

namespace surgilink::console {

// Each enum lives in a namespace of its own so that QML reaches its values by the enum's name
// (ConnectionState.Connected); C++ uses the enum directly (ConnectionState::Connected).
namespace qml_connection_state {
Q_NAMESPACE
QML_NAMED_ELEMENT(ConnectionState)
// Where this console is in reaching its OR site: the session's states, and Idle before any connect (or
// after a disconnect).
enum class ConnectionState { Idle, Connecting, Connected, Reconnecting, Refused, Stopped };
Q_ENUM_NS(ConnectionState)
}  // namespace qml_connection_state

namespace qml_role {
Q_NAMESPACE
QML_NAMED_ELEMENT(Role)
// What the sender admitted this console as; None until it did (and after a refusal).
enum class Role { None, Mentor, Observer };
Q_ENUM_NS(Role)
}  // namespace qml_role

using qml_connection_state::ConnectionState;
using qml_role::Role;

// The session's state and role as QML sees them. Any thread.
ConnectionState connection_state_of(session::ConnectionState state);
Role role_of(std::optional<session::Role> role);

}  // namespace surgilink::console
