#pragma once
// The mentor's voice as the window shows and steers it: the mute button's state, push-to-talk, the level of
// the mentor's own microphone, "you are muted", whether the OR is speaking, and why there is no sound.

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>

#include "surgilink/session/console_session.hpp"

namespace surgilink::console {

// GUI thread only. The session's voice status arrives through apply() (MentorSession posts it about ten
// times a second); what the mentor decides leaves through the `microphone_muted` callback, which hands it
// to the network thread.
class MentorVoice : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("made by MentorSession: mentor.voice")
  // The mentor's choice (the mute button, M). Muted by default when [audio] start_muted says so.
  Q_PROPERTY(bool muted READ muted WRITE setMuted NOTIFY mutedChanged)
  // Push-to-talk held (the Space key or the hold-to-talk button): opens a muted microphone while held.
  Q_PROPERTY(bool talking READ talking WRITE setTalking NOTIFY talkingChanged)
  // The OR hears this microphone now: it is open and neither muted nor waiting for push-to-talk.
  Q_PROPERTY(bool live READ live NOTIFY liveChanged)
  // From the session: the speaker and the microphone are open; the microphone is muted there.
  Q_PROPERTY(bool hasSpeaker READ hasSpeaker NOTIFY statusChanged)
  Q_PROPERTY(bool hasMicrophone READ hasMicrophone NOTIFY statusChanged)
  Q_PROPERTY(bool microphoneMuted READ microphoneMuted NOTIFY statusChanged)
  // The mentor's own microphone over the last 50 ms, before muting (dBFS; -180 when silent or absent).
  Q_PROPERTY(double levelDbfs READ levelDbfs NOTIFY statusChanged)
  Q_PROPERTY(bool speakingWhileMuted READ speakingWhileMuted NOTIFY statusChanged)
  // What the speaker plays (the OR, other mentors) over the last 50 ms, and whether that is speech.
  Q_PROPERTY(double heardLevelDbfs READ heardLevelDbfs NOTIFY statusChanged)
  Q_PROPERTY(bool orSpeaking READ orSpeaking NOTIFY statusChanged)
  Q_PROPERTY(double speakingDbfs READ speakingDbfs CONSTANT)
  // Why there is no sound, as the session says it ("" when there is nothing wrong).
  Q_PROPERTY(QString problem READ problem NOTIFY statusChanged)

 public:
  // Heard sound above this level is speech, not a quiet room (the session's own threshold for "speaking").
  static constexpr double kSpeakingDbfs = -40.0;

  MentorVoice(bool start_muted, std::function<void(bool muted)> microphone_muted, QObject* parent = nullptr);

  bool muted() const { return muted_; }
  void setMuted(bool muted);
  bool talking() const { return talking_; }
  void setTalking(bool talking);
  bool live() const { return status_.microphone && !microphoneShouldBeMuted(); }
  // What the session's microphone must be now: muted unless unmuted or push-to-talk is held.
  bool microphoneShouldBeMuted() const { return muted_ && !talking_; }

  bool hasSpeaker() const { return status_.speaker; }
  bool hasMicrophone() const { return status_.microphone; }
  bool microphoneMuted() const { return status_.muted; }
  double levelDbfs() const { return status_.level_dbfs; }
  bool speakingWhileMuted() const { return status_.speaking_while_muted; }
  double heardLevelDbfs() const { return status_.heard_level_dbfs; }
  bool orSpeaking() const { return status_.heard_level_dbfs > kSpeakingDbfs; }
  double speakingDbfs() const { return kSpeakingDbfs; }
  QString problem() const { return problem_; }
  // Voice packets this console sent since it started (tests).
  std::uint64_t packetsSent() const { return status_.packets_sent; }

  // The session's voice status now; signals only what changed.
  void apply(const session::ConsoleVoiceStatus& status);

 signals:
  void mutedChanged();
  void talkingChanged();
  void liveChanged();
  void statusChanged();

 private:
  // Tells the session when the microphone must change, and the window when "live" did.
  void follow(bool was_muted, bool was_live);

  std::function<void(bool)> microphone_muted_;
  bool muted_;
  bool talking_ = false;
  session::ConsoleVoiceStatus status_;
  QString problem_;
};

}  // namespace surgilink::console
