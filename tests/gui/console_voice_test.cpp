// The console's voice bar (mute, push-to-talk, level, "you are muted", OR speaking) and an observer who only
// listens, in the real window against a real sender with WAV files as microphones and speakers, under Xvfb.
#include "console_fixture.hpp"

namespace surgilink::console {
namespace {

using std::chrono::milliseconds;

// --- voice: a mentor who starts muted, speaking into a microphone (a loud WAV played in real time), and an
// OR that speaks (espeak-ng) and hears the mentors (its speaker writes a WAV)

// Makes a WAV file with `argv` (sox or espeak-ng); false, with what the program said, when it fails.
bool make_sound(const std::filesystem::path& dir, const std::string& name, std::vector<std::string> argv,
                std::string& why) {
  argv.insert(argv.begin(), "/usr/bin/env");  // finds the program on PATH
  const auto result = testing::run_program(std::move(argv), dir, name, milliseconds{20000});
  if (result.exit_code == 0) return true;
  why = name + " failed (" + std::to_string(result.exit_code) + "): " + testing::read_text(result.err);
  return false;
}

class ConsoleVoice : public SharedConsoleTest {
 protected:
  static void SetUpTestSuite() {
    const auto folder = testing::scratch_dir("console-voice");
    const auto mentor_speaks = folder / "mentor-speaks.wav", or_said = folder / "or-said.wav",
               or_speaks = folder / "or-speaks.wav";
    std::string why;
    // The mentor: a steady two-tone sound at about -9 dBFS RMS, far above the -40 dBFS of speaking.
    // The OR: a sentence of speech (its noise suppression would take a steady tone for noise).
    if (!make_sound(folder, "sox-mentor",
                    {"sox",   "-n", "-r",   "48000", "-c",   "1",   "-b",    "16", mentor_speaks.string(),
                     "synth", "3",  "sine", "300",   "sine", "700", "remix", "-",  "gain",
                     "-n",    "-6"},
                    why) ||
        !make_sound(folder, "espeak-or",
                    {"espeak-ng", "-v", "en", "-w", or_said.string(),
                     "Stop. That is the common bile duct. Retract the gallbladder to the right."},
                    why) ||
        !make_sound(folder, "sox-or",
                    {"sox", or_said.string(), "-r", "48000", "-c", "1", "-b", "16", or_speaks.string(),
                     "gain", "-n", "-3"},
                    why)) {
      sound_problem_ = why;
      return;
    }
    start(folder, testing::write_sender_config(folder),
          {"--audio-in", "file:" + or_speaks.string(), "--audio-out",
           "file:" + (folder / "or-hears.wav").string()},
          ConsoleSetup{"mentor", "file:" + mentor_speaks.string(),
                       "file:" + (folder / "mentor-hears.wav").string(), true});
    // The microphone opens at admission; its first status follows within a tenth of a second.
    run_until([] { return voice().hasMicrophone(); }, milliseconds{3000});
  }

  void SetUp() override {
    ASSERT_TRUE(sound_problem_.empty()) << sound_problem_;
    SharedConsoleTest::SetUp();
    ASSERT_TRUE(voice().hasMicrophone()) << "no microphone: " << voice().problem().toStdString();
    ASSERT_TRUE(voice().muted() && !voice().talking()) << "a test before this one left the microphone open";
  }

  static MentorVoice& voice() { return *mentor().voice(); }
  // What the mute button says ("MUTED", "MIC ON", "TALKING").
  static std::string mute_button_says() {
    return item("muteButton")->property("says").toString().toStdString();
  }
  // The session's microphone is muted (true) or open (false), as its status says, within 3 s.
  static bool session_microphone(bool muted) {
    return run_until([&] { return voice().microphoneMuted() == muted; }, milliseconds{3000});
  }

  // The OR's count of mentors' voice packets it played, from its first status line printed after this call
  // (the lines before it are passed over); nullopt when none comes within 3 s.
  static std::optional<std::uint64_t> or_heard_packets() {
    while (sender().next_status(milliseconds{0})) {
    }
    for (int i = 0; i < 3; ++i) {
      const auto line = sender().next_status(milliseconds{1500});
      if (!line) return std::nullopt;
      const auto j = nlohmann::json::parse(*line, nullptr, false);
      if (!j.is_discarded() && j.contains("voice"))
        return j["voice"].value("packets_heard", std::uint64_t{0});
    }
    return std::nullopt;
  }

 private:
  static inline std::string sound_problem_;
};

TEST_F(ConsoleVoice, StartsMutedAsConfiguredAndTheOrHearsNothing) {
  EXPECT_EQ(mute_button_says(), "MUTED");
  EXPECT_TRUE(session_microphone(true));
  EXPECT_EQ(voice().packetsSent(), 0U);
  EXPECT_EQ(or_heard_packets(), std::optional<std::uint64_t>{0});
}

TEST_F(ConsoleVoice, LevelMeterShowsTheMentorsMicrophoneWhileMuted) {
  auto* meter = item("levelMeter");
  auto* fill = item("levelFill");
  ASSERT_NE(meter, nullptr);
  ASSERT_NE(fill, nullptr);
  EXPECT_TRUE(run_until([] { return voice().levelDbfs() > -20; }, milliseconds{3000}))
      << "level " << voice().levelDbfs() << " dBFS";
  // About -9 dBFS on a -60 … 0 dBFS bar: most of it.
  EXPECT_GT(fill->width(), 0.6 * meter->width());
}

TEST_F(ConsoleVoice, SpeakingWhileMutedShowsYouAreMuted) {
  auto* warning = item("mutedWarning");
  ASSERT_NE(warning, nullptr);
  EXPECT_TRUE(run_until([&] { return warning->isVisible(); }, milliseconds{3000}))
      << "speaking while muted " << voice().speakingWhileMuted() << ", level " << voice().levelDbfs();
  EXPECT_TRUE(voice().speakingWhileMuted());
}

TEST_F(ConsoleVoice, MuteButtonOpensTheMicrophoneForTheOrAndClosesItAgain) {
  auto* mute = item("muteButton");
  ASSERT_NE(mute, nullptr);
  const auto heard_before = or_heard_packets();
  ASSERT_TRUE(heard_before);

  click(window(), mute);
  EXPECT_EQ(mute_button_says(), "MIC ON");
  ASSERT_TRUE(session_microphone(false));
  EXPECT_FALSE(item("mutedWarning")->isVisible());
  EXPECT_TRUE(run_until([] { return voice().packetsSent() > 25; }, milliseconds{3000}))
      << "sent " << voice().packetsSent() << " voice packets in up to 3 s";
  const auto heard_open = or_heard_packets();
  ASSERT_TRUE(heard_open);
  EXPECT_GT(*heard_open, *heard_before + 25) << "the OR did not hear the mentor";

  click(window(), mute);
  EXPECT_EQ(mute_button_says(), "MUTED");
  ASSERT_TRUE(session_microphone(true));
  // Packets already on their way land within a few frames; after that the OR hears nothing more.
  let_frames_pass(10);
  const auto sent = voice().packetsSent();
  const auto heard_muted = or_heard_packets();
  const auto heard_later = or_heard_packets();
  ASSERT_TRUE(heard_muted && heard_later);
  EXPECT_EQ(*heard_later, *heard_muted) << "the OR heard a muted mentor";
  EXPECT_EQ(voice().packetsSent(), sent);
}

TEST_F(ConsoleVoice, MKeyUnmutesAndMutes) {
  ASSERT_TRUE(activate());
  QTest::keyClick(&window(), Qt::Key_M);
  EXPECT_FALSE(voice().muted());
  EXPECT_TRUE(session_microphone(false));
  QTest::keyClick(&window(), Qt::Key_M);
  EXPECT_TRUE(voice().muted());
  EXPECT_TRUE(session_microphone(true));
}

TEST_F(ConsoleVoice, SpaceHeldTalksAndReleasedMutesAgain) {
  ASSERT_TRUE(activate());
  QTest::keyPress(&window(), Qt::Key_Space);
  EXPECT_TRUE(voice().talking());
  EXPECT_EQ(mute_button_says(), "TALKING");
  EXPECT_TRUE(session_microphone(false)) << "Space held did not open the microphone";
  const auto sent = voice().packetsSent();
  EXPECT_TRUE(run_until([&] { return voice().packetsSent() > sent + 10; }, milliseconds{3000}));
  QTest::keyRelease(&window(), Qt::Key_Space);
  EXPECT_FALSE(voice().talking());
  EXPECT_TRUE(voice().muted()) << "push-to-talk changed the mute button";
  EXPECT_EQ(mute_button_says(), "MUTED");
  EXPECT_TRUE(session_microphone(true)) << "releasing Space did not mute again";
}

TEST_F(ConsoleVoice, TalkKeyIsReleasedWhenTheWindowLosesTheKeyboard) {
  ASSERT_TRUE(activate());
  QTest::keyPress(&window(), Qt::Key_Space);
  ASSERT_TRUE(voice().talking());
  ASSERT_TRUE(session_microphone(false));
  // The release would go to another window: the microphone must not stay open behind the mentor's back.
  QEvent deactivate(QEvent::WindowDeactivate);
  QCoreApplication::sendEvent(&window(), &deactivate);
  EXPECT_FALSE(voice().talking());
  EXPECT_TRUE(session_microphone(true));
  QTest::keyRelease(&window(), Qt::Key_Space);
  EXPECT_FALSE(voice().talking());
}

TEST_F(ConsoleVoice, HoldToTalkButtonTalksWhileHeld) {
  auto* talk = item("talkButton");
  ASSERT_NE(talk, nullptr);
  const QPoint middle = talk->mapToScene(QPointF(talk->width() / 2, talk->height() / 2)).toPoint();
  QTest::mousePress(&window(), Qt::LeftButton, Qt::NoModifier, middle);
  EXPECT_TRUE(voice().talking());
  EXPECT_TRUE(session_microphone(false)) << "holding the button did not open the microphone";
  QTest::mouseRelease(&window(), Qt::LeftButton, Qt::NoModifier, middle);
  EXPECT_FALSE(voice().talking());
  EXPECT_TRUE(session_microphone(true)) << "letting go did not mute again";
}

TEST_F(ConsoleVoice, OrSpeakingLightsWhileTheOrTalks) {
  auto* indicator = item("orSpeaking");
  ASSERT_NE(indicator, nullptr);
  ASSERT_TRUE(voice().hasSpeaker()) << voice().problem().toStdString();
  EXPECT_TRUE(run_until([&] { return indicator->property("lit").toBool(); }, milliseconds{5000}))
      << "heard level " << voice().heardLevelDbfs() << " dBFS";
}

TEST_F(ConsoleVoice, ShortcutCardListsTheVoiceKeys) {
  auto* help = item("shortcutHelp");
  ASSERT_NE(help, nullptr);
  QStringList keys;
  for (const auto& entry : help->property("keys").toList()) keys << entry.toList().value(0).toString();
  EXPECT_TRUE(keys.contains("M")) << keys.join(", ").toStdString();
  EXPECT_TRUE(keys.contains("Space (hold)")) << keys.join(", ").toStdString();
}

// The window with the voice bar, for people to look at (SURGILINK_VOICE_SCREENSHOT=path), while the mentor
// speaks muted.
TEST_F(ConsoleVoice, ScreenshotWithTheVoiceControls) {
  const char* path = std::getenv("SURGILINK_VOICE_SCREENSHOT");
  auto* warning = item("mutedWarning");
  ASSERT_NE(warning, nullptr);
  run_until([&] { return warning->isVisible() && item("orSpeaking")->property("lit").toBool(); },
            milliseconds{5000});
  const QImage shot = window().grabWindow();
  ASSERT_FALSE(shot.isNull());
  const auto saved = path != nullptr ? std::filesystem::path(path) : dir() / "voice.png";
  EXPECT_TRUE(shot.save(QString::fromStdString(saved.string())));
  std::printf("screenshot: %s\n", saved.c_str());
}

// --- voice of an observer: listens, is never heard

class ObserverVoice : public SharedConsoleTest {
 protected:
  static void SetUpTestSuite() {
    const auto folder = testing::scratch_dir("observer-voice");
    start(folder, testing::write_sender_config(folder), {},
          ConsoleSetup{"observer", "default", "file:" + (folder / "observer-hears.wav").string(), false});
  }
};

TEST_F(ObserverVoice, ListensOnlyWithNoMuteNorPushToTalk) {
  ASSERT_EQ(mentor().role(), Role::Observer);
  MentorVoice& voice = *mentor().voice();
  auto* listening = item("listeningOnly");
  ASSERT_NE(listening, nullptr);
  EXPECT_TRUE(run_until([&] { return voice.hasSpeaker(); }, milliseconds{3000}))
      << voice.problem().toStdString();
  EXPECT_TRUE(listening->isVisible());
  EXPECT_FALSE(item("muteButton")->isVisible());
  EXPECT_FALSE(item("talkButton")->isVisible());
  EXPECT_FALSE(item("levelMeter")->isVisible());
  // Its microphone is never tried, so there is no microphone problem to report either.
  EXPECT_FALSE(voice.hasMicrophone());
  EXPECT_TRUE(voice.problem().isEmpty()) << voice.problem().toStdString();
  ASSERT_TRUE(activate());
  QTest::keyPress(&window(), Qt::Key_Space);
  EXPECT_FALSE(voice.talking()) << "Space talks for an observer";
  QTest::keyRelease(&window(), Qt::Key_Space);
}

// Space (no push-to-talk for an observer) and Enter in the live window are no clicks on the hidden start
// screen's connect button: a click there would start the session again.
TEST_F(ObserverVoice, SpaceAndEnterDoNotConnectAgain) {
  ASSERT_EQ(mentor().state(), ConnectionState::Connected);
  ASSERT_TRUE(activate());
  for (const auto key : {Qt::Key_Space, Qt::Key_Return}) {
    QTest::keyClick(&window(), key);
    // connectTo() says "connecting" at once, before the network thread starts anything.
    EXPECT_EQ(mentor().state(), ConnectionState::Connected) << "key " << key << " connected again";
  }
}

}  // namespace
}  // namespace surgilink::console
