#pragma once
// The words the OR display draws (badges, touch panel, status strip), in the OR team's language (issue 13).
// Their English is the key of Qt's catalogue (i18n/surgilink_<lang>.ts, context "OrDisplay"), which the
// console shares; or_language.hpp fills an OrWords from it once at start, so the drawing code stays Qt-free
// and looks nothing up per frame.

#include <map>
#include <span>
#include <string>
#include <string_view>

// Marks an English word of the OR display for lupdate, which is told that this spells QT_TRANSLATE_NOOP
// (i18n/CMakeLists.txt). Without Qt it is the text itself.
#define SURGILINK_TRANSLATE_NOOP(context, text) text

namespace surgilink::sender {

// Every word the OR display shows. %1 and %2 stand for what is filled in when drawing (a name, a number).
namespace or_word {
// Badges at the top right.
inline constexpr std::string_view kPrivacyPauseBadge =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "PRIVACY PAUSE: MENTORS SEE AND HEAR NOTHING");
inline constexpr std::string_view kAlarm = SURGILINK_TRANSLATE_NOOP("OrDisplay", "ALARM %1");
inline constexpr std::string_view kMentorVideoDelayed =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "MENTOR VIDEO DELAYED %1 ms");
inline constexpr std::string_view kAuditLogNotWritten =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "AUDIT LOG NOT WRITTEN");
inline constexpr std::string_view kMediaKeysExported =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "MEDIA KEYS EXPORTED (test bench only)");
inline constexpr std::string_view kMentorCheck = SURGILINK_TRANSLATE_NOOP("OrDisplay", "MENTOR: check %1");
inline constexpr std::string_view kMentorDisconnected =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "mentor disconnected");
inline constexpr std::string_view kPenWaitsBadge =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "link lost: pen waits for %1");
inline constexpr std::string_view kMentorSpeaking = SURGILINK_TRANSLATE_NOOP("OrDisplay", "MENTOR SPEAKING");
inline constexpr std::string_view kOrMicMuted = SURGILINK_TRANSLATE_NOOP("OrDisplay", "OR MIC MUTED");
inline constexpr std::string_view kAnnotationsHiddenBadge =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "annotations hidden");
inline constexpr std::string_view kMentorPenOff = SURGILINK_TRANSLATE_NOOP("OrDisplay", "mentor pen off");
inline constexpr std::string_view kRec = SURGILINK_TRANSLATE_NOOP("OrDisplay", "REC");
// The recording's warnings (case_recording.cpp), shown as a badge.
inline constexpr std::string_view kNotRecordingUnencrypted =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "NOT RECORDING: VOLUME NOT ENCRYPTED");
inline constexpr std::string_view kRecordingStoppedDiskFull =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "RECORDING STOPPED: DISK FULL");
inline constexpr std::string_view kDiskLow =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "REC: DISK LOW, %1 MB FREE");
inline constexpr std::string_view kDiskLowMinutes =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "REC: DISK LOW, %1 MB FREE (~%2 MIN)");
// The touch panel's buttons.
inline constexpr std::string_view kTouchAgain = SURGILINK_TRANSLATE_NOOP("OrDisplay", "TOUCH AGAIN: %1");
inline constexpr std::string_view kPrivacyPause = SURGILINK_TRANSLATE_NOOP("OrDisplay", "PRIVACY PAUSE");
inline constexpr std::string_view kResumeVideo = SURGILINK_TRANSLATE_NOOP("OrDisplay", "RESUME VIDEO");
inline constexpr std::string_view kHideAnnotations =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "HIDE ANNOTATIONS");
inline constexpr std::string_view kShowAnnotations =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "SHOW ANNOTATIONS");
inline constexpr std::string_view kTakePen = SURGILINK_TRANSLATE_NOOP("OrDisplay", "TAKE PEN");
inline constexpr std::string_view kGivePenBack = SURGILINK_TRANSLATE_NOOP("OrDisplay", "GIVE PEN BACK");
inline constexpr std::string_view kClearAll = SURGILINK_TRANSLATE_NOOP("OrDisplay", "CLEAR ALL");
inline constexpr std::string_view kKeepAnnotations =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "KEEP ANNOTATIONS");
inline constexpr std::string_view kConsentRecord = SURGILINK_TRANSLATE_NOOP("OrDisplay", "CONSENT + RECORD");
inline constexpr std::string_view kStartRec = SURGILINK_TRANSLATE_NOOP("OrDisplay", "START REC");
inline constexpr std::string_view kStopRec = SURGILINK_TRANSLATE_NOOP("OrDisplay", "STOP REC");
inline constexpr std::string_view kMuteOrMic = SURGILINK_TRANSLATE_NOOP("OrDisplay", "MUTE OR MIC");
inline constexpr std::string_view kOpenOrMic = SURGILINK_TRANSLATE_NOOP("OrDisplay", "OPEN OR MIC");
inline constexpr std::string_view kEndSession = SURGILINK_TRANSLATE_NOOP("OrDisplay", "END SESSION");
// The status strip along the bottom.
inline constexpr std::string_view kPaused = SURGILINK_TRANSLATE_NOOP("OrDisplay", "PAUSED");
inline constexpr std::string_view kHoldsPen = SURGILINK_TRANSLATE_NOOP("OrDisplay", "%1 (pen)");
inline constexpr std::string_view kWatching = SURGILINK_TRANSLATE_NOOP("OrDisplay", "%1 watching");
inline constexpr std::string_view kLinkLostPenWaits =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "LINK LOST: pen waits for %1");
inline constexpr std::string_view kNoMentorConnected =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "NO MENTOR CONNECTED");
inline constexpr std::string_view kWaitingForMentor =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "WAITING FOR MENTOR");
inline constexpr std::string_view kLinkOk = SURGILINK_TRANSLATE_NOOP("OrDisplay", "LINK OK");
inline constexpr std::string_view kConsentNotRecording =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "CONSENT, NOT RECORDING");
inline constexpr std::string_view kNoConsentNotRecording =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "NO CONSENT: NOT RECORDING");
inline constexpr std::string_view kAnnotationsHidden =
    SURGILINK_TRANSLATE_NOOP("OrDisplay", "ANNOTATIONS HIDDEN");
// After a mentor's latency while their link loses packets: "3% LOSS".
inline constexpr std::string_view kLoss = SURGILINK_TRANSLATE_NOOP("OrDisplay", "%1% LOSS");
}  // namespace or_word

// Every or_word above, for filling an OrWords from the catalogue and for the tests.
std::span<const std::string_view> all_or_words();

// The OR display's words in one language: English (default constructed) or translations. Plain value; any
// thread once filled.
class OrWords {
 public:
  OrWords() = default;
  // English word -> its translation; a word not in it stays English.
  explicit OrWords(std::map<std::string, std::string, std::less<>> translations);

  // `english` (one of or_word) in this language.
  std::string operator()(std::string_view english) const;
  // With %1 and %2 replaced by `first` and `second`.
  std::string operator()(std::string_view english, std::string_view first,
                         std::string_view second = {}) const;
  // `pattern` (a word already in this language) with %1 and %2 replaced: for the drawing code, which looked
  // its patterns up at start.
  static std::string fill(std::string_view pattern, std::string_view first, std::string_view second = {});

  bool english() const { return translations_.empty(); }

 private:
  std::map<std::string, std::string, std::less<>> translations_;
};

}  // namespace surgilink::sender
