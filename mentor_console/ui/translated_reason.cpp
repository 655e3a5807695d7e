#include "translated_reason.hpp"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>
#include <array>

namespace surgilink::console {

namespace {

// The sentences as session/, annotation/ and the sender write them, with their variable parts as %1, %2...;
// the English text is both the catalogue's source string and the pattern the reason is matched against.
// Outer shapes first: a reason wrapped in "(trying again in ...)" is matched as that before its inside.
constexpr std::array kShapes = {
    QT_TRANSLATE_NOOP("Reason", "%1 (trying again in %2 ms)"),
    // The voice's problems, joined (session/src/console_voice.cpp), and what the sound devices say.
    QT_TRANSLATE_NOOP("Reason", "%1; %2"),
    QT_TRANSLATE_NOOP("Reason", "no sound output: %1 - the session goes on without sound"),
    QT_TRANSLATE_NOOP("Reason", "no microphone: %1 - the mentor is not heard"),
    QT_TRANSLATE_NOOP("Reason", "microphone failed: %1"),
    QT_TRANSLATE_NOOP("Reason", "no sound output here (no PulseAudio/PipeWire server, no ALSA card)"),
    QT_TRANSLATE_NOOP("Reason", "no sound input here (no PulseAudio/PipeWire server, no ALSA card)"),
    QT_TRANSLATE_NOOP("Reason", "%1 refused this console: %2"),
    QT_TRANSLATE_NOOP("Reason", "certificate not accepted by %1: %2"),
    QT_TRANSLATE_NOOP("Reason", "TLS handshake with %1: %2"),
    QT_TRANSLATE_NOOP("Reason", "connection to %1 lost: %2"),
    QT_TRANSLATE_NOOP("Reason", "connection to %1 ended: %2"),
    QT_TRANSLATE_NOOP("Reason", "no answer from %1: %2"),
    QT_TRANSLATE_NOOP("Reason", "no answer from %1 after %2"),
    QT_TRANSLATE_NOOP("Reason", "certificate \"%1\" (%2) is not in the access list of %3"),
    QT_TRANSLATE_NOOP("Reason", "%1 already serves %2 consoles, its limit (max_consoles)"),
    QT_TRANSLATE_NOOP("Reason", "sender speaks protocol version %1"),
    QT_TRANSLATE_NOOP("Reason", "the sender's welcome names no role this console knows"),
    QT_TRANSLATE_NOOP("Reason", "the sender sent a malformed control message"),
    QT_TRANSLATE_NOOP("Reason", "the sender sent an oversized control message"),
    QT_TRANSLATE_NOOP("Reason", "SRTP key derivation failed"),
    QT_TRANSLATE_NOOP("Reason", "the surgeon has taken the pen back"),
    QT_TRANSLATE_NOOP("Reason", "the pen waits for %1 to come back"),
    QT_TRANSLATE_NOOP("Reason", "nobody holds the pen"),
    QT_TRANSLATE_NOOP("Reason", "%1 holds the pen"),
    QT_TRANSLATE_NOOP("Reason", "%1: %2 does not hold the pen"),
    QT_TRANSLATE_NOOP("Reason", "not admitted"),
};

// "%1 holds the pen" -> ^(.+?) holds the pen$ (every placeholder matches at least one character).
QRegularExpression pattern_of(const char* shape) {
  QString pattern = QRegularExpression::escape(QString::fromUtf8(shape));
  // escape() turns "%1" into "\%1".
  pattern.replace(QRegularExpression(R"(\\?%[1-9])"), "(.+?)");
  return QRegularExpression("^" + pattern + "$");
}

QString translated(const QString& english, int depth) {
  // Nested reasons are one or two deep; the bound keeps a hostile reason from costing more.
  if (depth > 3) return english;
  static const auto patterns = [] {
    std::array<QRegularExpression, kShapes.size()> all;
    for (std::size_t i = 0; i < kShapes.size(); ++i) all[i] = pattern_of(kShapes[i]);
    return all;
  }();
  for (std::size_t i = 0; i < kShapes.size(); ++i) {
    const auto match = patterns[i].match(english);
    if (!match.hasMatch()) continue;
    QString text = QCoreApplication::translate("Reason", kShapes[i]);
    QStringList parts;
    for (int n = 1; n <= match.lastCapturedIndex(); ++n) parts << translated(match.captured(n), depth + 1);
    // One pass over the template: a part that itself contains "%2" (a name, a sender's text) stays as it is.
    QString out;
    for (qsizetype c = 0; c < text.size(); ++c) {
      const int n = c + 1 < text.size() ? text[c + 1].digitValue() : -1;
      if (text[c] == '%' && n >= 1 && n <= parts.size()) {
        out += parts[n - 1];
        ++c;
      } else {
        out += text[c];
      }
    }
    return out;
  }
  return english;
}

}  // namespace

QString translated_reason(const QString& english) { return translated(english, 0); }

}  // namespace surgilink::console
