#include "or_words.hpp"

#include <array>

namespace surgilink::sender {

std::span<const std::string_view> all_or_words() {
  using namespace or_word;
  // A word missing here would stay English: a test counts the words marked in or_words.hpp against this.
  static constexpr std::array kAll{kPrivacyPauseBadge,
                                   kAlarm,
                                   kMentorVideoDelayed,
                                   kAuditLogNotWritten,
                                   kMediaKeysExported,
                                   kMentorCheck,
                                   kMentorDisconnected,
                                   kPenWaitsBadge,
                                   kMentorSpeaking,
                                   kOrMicMuted,
                                   kAnnotationsHiddenBadge,
                                   kMentorPenOff,
                                   kRec,
                                   kNotRecordingUnencrypted,
                                   kRecordingStoppedDiskFull,
                                   kDiskLow,
                                   kDiskLowMinutes,
                                   kTouchAgain,
                                   kPrivacyPause,
                                   kResumeVideo,
                                   kHideAnnotations,
                                   kShowAnnotations,
                                   kTakePen,
                                   kGivePenBack,
                                   kClearAll,
                                   kKeepAnnotations,
                                   kConsentRecord,
                                   kStartRec,
                                   kStopRec,
                                   kMuteOrMic,
                                   kOpenOrMic,
                                   kEndSession,
                                   kPaused,
                                   kHoldsPen,
                                   kWatching,
                                   kLinkLostPenWaits,
                                   kNoMentorConnected,
                                   kWaitingForMentor,
                                   kLinkOk,
                                   kConsentNotRecording,
                                   kNoConsentNotRecording,
                                   kAnnotationsHidden,
                                   kLoss};
  return kAll;
}

OrWords::OrWords(std::map<std::string, std::string, std::less<>> translations)
    : translations_(std::move(translations)) {}

std::string OrWords::operator()(std::string_view english) const {
  const auto it = translations_.find(english);
  return it != translations_.end() ? it->second : std::string(english);
}

std::string OrWords::operator()(std::string_view english, std::string_view first,
                                std::string_view second) const {
  return fill((*this)(english), first, second);
}

std::string OrWords::fill(std::string_view pattern, std::string_view first, std::string_view second) {
  std::string out;
  out.reserve(pattern.size() + first.size() + second.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && (pattern[i + 1] == '1' || pattern[i + 1] == '2')) {
      out += pattern[i + 1] == '1' ? first : second;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace surgilink::sender
