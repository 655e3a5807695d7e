// The SurgiLink.Console QML module as a program gets it by linking it: its C++ types and enums, and Main.qml
// with the session as its required property, with no registration call and no context property. Runs on the
// offscreen platform that annotation_canvas_test.cpp's environment sets up for this program.
#include <gtest/gtest.h>
#include <QQmlApplicationEngine>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickWindow>
#include <memory>

#include "ui/console_window.hpp"
#include "ui/mentor_session.hpp"
#include "ui/session_state.hpp"

namespace surgilink::console {
namespace {

struct Created {
  std::unique_ptr<QObject> object;  // null when the QML did not load
  std::string errors;
};

Created create(QQmlEngine& engine, const QByteArray& qml) {
  QQmlComponent component(&engine);
  component.setData(qml, QUrl());
  Created created{std::unique_ptr<QObject>(component.create()), {}};
  if (!created.object) created.errors = component.errorString().toStdString();
  return created;
}

TEST(ConsoleQmlModule, ItsItemsAreMadeFromQmlWithoutARegistrationCall) {
  QQmlEngine engine;
  for (const char* type :
       {"OperativeFieldView", "AnnotationCanvas", "LatencyPlot", "WaveformTrace", "TrendLine"}) {
    const auto created = create(engine, QByteArray("import SurgiLink.Console 1.0\n") + type + " {}\n");
    ASSERT_NE(created.object, nullptr) << type << ": " << created.errors;
    EXPECT_EQ(std::string(created.object->metaObject()->className()),
              std::string("surgilink::console::") + type);
  }
}

TEST(ConsoleQmlModule, ATypeTheModuleDoesNotHaveDoesNotLoad) {
  QQmlEngine engine;
  const auto created = create(engine, "import SurgiLink.Console 1.0\nSessionClock {}\n");
  EXPECT_EQ(created.object, nullptr);
  EXPECT_NE(created.errors.find("SessionClock is not a type"), std::string::npos) << created.errors;
}

TEST(ConsoleQmlModule, TheSessionAndItsPartsAreNotMadeInQml) {
  QQmlEngine engine;
  // Each type, and the reason QML gives for not making it.
  for (const auto& [type, reason] : {std::pair{"MentorSession", "made by the program"},
                                     std::pair{"PatientVitals", "reached as mentor.vitals"},
                                     std::pair{"PictureFeed", "reached as mentor.feed"}}) {
    const auto created = create(engine, QByteArray("import SurgiLink.Console 1.0\n") + type + " {}\n");
    EXPECT_EQ(created.object, nullptr) << type;
    EXPECT_NE(created.errors.find(reason), std::string::npos) << type << ": " << created.errors;
  }
}

TEST(ConsoleQmlModule, ConnectionStateAndRoleReachQmlByName) {
  QQmlEngine engine;
  // `var`, not `int`: a name QML does not know is undefined, which an int property would quietly make 0.
  const auto created = create(engine,
                              "import QtQml\nimport SurgiLink.Console 1.0\nQtObject {\n"
                              "  property var idle: ConnectionState.Idle\n"
                              "  property var connected: ConnectionState.Connected\n"
                              "  property var refused: ConnectionState.Refused\n"
                              "  property var none: Role.None\n"
                              "  property var observer: Role.Observer\n"
                              "}\n");
  ASSERT_NE(created.object, nullptr) << created.errors;
  const auto value = [&](const char* name) {
    const QVariant v = created.object->property(name);
    return v.canConvert<int>() ? std::optional<int>(v.toInt()) : std::nullopt;
  };
  EXPECT_EQ(value("idle"), static_cast<int>(ConnectionState::Idle));
  EXPECT_EQ(value("connected"), static_cast<int>(ConnectionState::Connected));
  EXPECT_EQ(value("refused"), static_cast<int>(ConnectionState::Refused));
  EXPECT_EQ(value("none"), static_cast<int>(Role::None));
  EXPECT_EQ(value("observer"), static_cast<int>(Role::Observer));
}

TEST(ConsoleQmlModule, MainQmlLoadsWithTheSessionAsItsRequiredProperty) {
  ConsoleSettings settings;
  settings.sites.push_back({"OR 2", "10.0.0.5", 7400});
  settings.thresholds.green = std::chrono::milliseconds{120};
  settings.thresholds.amber = std::chrono::milliseconds{250};
  MentorSession mentor(settings);
  QQmlApplicationEngine engine;
  auto* window = load_console_window(engine, mentor);
  ASSERT_NE(window, nullptr);

  // Not connected: the start screen, decided by comparing the session's state with ConnectionState.Idle.
  EXPECT_EQ(mentor.state(), ConnectionState::Idle);
  EXPECT_EQ(mentor.stateName().toStdString(), "idle");
  EXPECT_EQ(mentor.role(), Role::None);
  EXPECT_FALSE(mentor.hasPicture());
  EXPECT_EQ(window->property("live"), QVariant(false));
  // The thresholds reach the latency plot through the session, not through context properties.
  auto* plot = window->findChild<QObject*>("latencyPlot");
  ASSERT_NE(plot, nullptr);
  EXPECT_EQ(plot->property("greenMs").toDouble(), 120.0);
  EXPECT_EQ(plot->property("amberMs").toDouble(), 250.0);
  window->close();
}

TEST(ConsoleQmlModule, MainQmlWithoutASessionDoesNotLoad) {
  QQmlApplicationEngine engine;
  engine.load(QUrl("qrc:/SurgiLink/Console/Main.qml"));
  EXPECT_TRUE(engine.rootObjects().isEmpty());
}

TEST(SessionState, TheSessionsStatesAndRolesMapOneToOne) {
  EXPECT_EQ(connection_state_of(session::ConnectionState::kConnecting), ConnectionState::Connecting);
  EXPECT_EQ(connection_state_of(session::ConnectionState::kConnected), ConnectionState::Connected);
  EXPECT_EQ(connection_state_of(session::ConnectionState::kReconnecting), ConnectionState::Reconnecting);
  EXPECT_EQ(connection_state_of(session::ConnectionState::kRefused), ConnectionState::Refused);
  EXPECT_EQ(connection_state_of(session::ConnectionState::kStopped), ConnectionState::Stopped);
  EXPECT_EQ(role_of(std::nullopt), Role::None);
  EXPECT_EQ(role_of(session::Role::kMentor), Role::Mentor);
  EXPECT_EQ(role_of(session::Role::kObserver), Role::Observer);
}

}  // namespace
}  // namespace surgilink::console
