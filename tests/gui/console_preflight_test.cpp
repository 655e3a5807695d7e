// The start screen's "Check link" (issue 15): pressed before a case, the real console window runs a
// pre-flight against a real sender and shows the verdict in words with the measured figures.
#include "console_fixture.hpp"

namespace surgilink::console {
namespace {

TEST(ConsoleStartScreen, CheckLinkShowsWhatTheLinkCarries) {
  const auto dir = testing::scratch_dir("gui-preflight");
  testing::RunningSender sender(testing::write_sender_config(dir), dir / "sender.log");
  LiveConsole console(dir, sender, ConsoleSetup{"mentor", "none", "none", false});
  ASSERT_NE(console.window, nullptr);
  auto* button = find_item(console.window->contentItem(), "checkLink");
  ASSERT_NE(button, nullptr);
  ASSERT_TRUE(button->isVisible());
  click(*console.window, button);
  EXPECT_TRUE(console.mentor.checkingLink());
  QEventLoop loop;
  QTimer deadline;
  deadline.setSingleShot(true);
  QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
  QObject::connect(&console.mentor, &MentorSession::linkCheckChanged, &loop, &QEventLoop::quit);
  deadline.start(30000);
  while (console.mentor.checkingLink() && deadline.isActive()) loop.exec();
  ASSERT_FALSE(console.mentor.checkingLink()) << "no outcome after 30 s";
  // The sender streams 720p30: the most a verdict names.
  EXPECT_EQ(console.mentor.linkVerdict().toStdString(), "720p30") << console.mentor.linkCheck().toStdString();
  auto* shown = find_item(console.window->contentItem(), "linkCheck");
  ASSERT_NE(shown, nullptr);
  EXPECT_TRUE(shown->isVisible());
  const auto text = shown->property("text").toString().toStdString();
  EXPECT_THAT(text, ::testing::HasSubstr("This link carries 720p30"));
  EXPECT_THAT(text, ::testing::HasSubstr("rtt p50"));
  // The outcome reaches the sender just after the window shows it: its next status lines come after it.
  sender.log_once("audit: preflight console=", std::chrono::seconds{8});
  EXPECT_THAT(sender.log(), ::testing::HasSubstr("audit: preflight console="));
}

}  // namespace
}  // namespace surgilink::console
