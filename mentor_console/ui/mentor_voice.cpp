#include "mentor_voice.hpp"

#include "translated_reason.hpp"

namespace surgilink::console {

MentorVoice::MentorVoice(bool start_muted, std::function<void(bool)> microphone_muted, QObject* parent)
    : QObject(parent), microphone_muted_(std::move(microphone_muted)), muted_(start_muted) {}

void MentorVoice::setMuted(bool muted) {
  if (muted == muted_) return;
  const bool was_muted = microphoneShouldBeMuted(), was_live = live();
  muted_ = muted;
  emit mutedChanged();
  follow(was_muted, was_live);
}

void MentorVoice::setTalking(bool talking) {
  if (talking == talking_) return;
  const bool was_muted = microphoneShouldBeMuted(), was_live = live();
  talking_ = talking;
  emit talkingChanged();
  follow(was_muted, was_live);
}

void MentorVoice::follow(bool was_muted, bool was_live) {
  if (microphoneShouldBeMuted() != was_muted) microphone_muted_(microphoneShouldBeMuted());
  if (live() != was_live) emit liveChanged();
}

void MentorVoice::apply(const session::ConsoleVoiceStatus& status) {
  const auto& s = status_;
  const bool same = s.speaker == status.speaker && s.microphone == status.microphone &&
                    s.muted == status.muted && s.level_dbfs == status.level_dbfs &&
                    s.speaking_while_muted == status.speaking_while_muted &&
                    s.heard_level_dbfs == status.heard_level_dbfs && s.problem == status.problem;
  const bool was_live = live();
  status_ = status;
  if (same) return;
  problem_ = translated_reason(QString::fromStdString(status.problem));
  emit statusChanged();
  if (live() != was_live) emit liveChanged();
}

}  // namespace surgilink::console
