#include "surgilink/vitals/mllp_frame_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

// Every complete message the reader holds now; fails the test on an error.
std::vector<std::string> drain(MllpFrameReader& r) {
  std::vector<std::string> out;
  while (true) {
    auto next = r.next();
    EXPECT_TRUE(next.has_value()) << next.error().reason;
    if (!next || !next.value()) return out;
    out.push_back(*next.value());
  }
}

TEST(MllpFrameReader, FramesAndUnframes) {
  EXPECT_EQ(mllp_frame("MSH|x"), std::string("\x0BMSH|x\x1C\x0D"));
  MllpFrameReader r;
  r.feed(mllp_frame("one") + mllp_frame("two"));
  EXPECT_EQ(drain(r), (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(r.in_frame());
}

TEST(MllpFrameReader, ByteByByteAndLineEndsBetweenFrames) {
  const std::string stream = mllp_frame("MSH|a\rOBX|1") + "\r\n" + mllp_frame("MSH|b");
  MllpFrameReader r;
  std::vector<std::string> got;
  for (char c : stream) {
    r.feed(std::string(1, c));
    for (auto& m : drain(r)) got.push_back(m);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"MSH|a\rOBX|1", "MSH|b"}));
  EXPECT_EQ(r.stray_bytes(), 0u);
}

TEST(MllpFrameReader, PartialFrameIsInFrame) {
  MllpFrameReader r;
  r.feed("\x0BMSH|^~\\&|partial");
  EXPECT_TRUE(drain(r).empty());
  EXPECT_TRUE(r.in_frame());
  EXPECT_EQ(r.current_frame(), "MSH|^~\\&|partial");
  r.feed("\x1C");
  EXPECT_TRUE(r.in_frame());
  r.feed("\x0D");
  EXPECT_EQ(drain(r), (std::vector<std::string>{"MSH|^~\\&|partial"}));
  EXPECT_FALSE(r.in_frame());
}

TEST(MllpFrameReader, ANewStartBlockAbandonsAnUnfinishedFrame) {
  MllpFrameReader r;
  r.feed("\x0Bhalf a mess" + mllp_frame("whole"));
  EXPECT_EQ(drain(r), (std::vector<std::string>{"whole"}));
  EXPECT_EQ(r.restarted_frames(), 1u);
}

// What the listener's timers and back-pressure look at: whether a message is waiting, and when frames begin.
TEST(MllpFrameReader, CountsFrameStartsAndSaysWhenAMessageWaits) {
  MllpFrameReader r;
  EXPECT_FALSE(r.has_message());
  r.feed(mllp_frame("one") +
         "\x0B"
         "partial"
         "\x0B"
         "again");
  EXPECT_EQ(r.frames_started(), 3u);  // the restart counts: the message timeout runs from the last start
  EXPECT_TRUE(r.has_message());
  EXPECT_TRUE(r.in_frame());
  EXPECT_EQ(drain(r), std::vector<std::string>{"one"});
  EXPECT_FALSE(r.has_message());
}

TEST(MllpFrameReader, OversizedFrameFailsWithoutBufferingIt) {
  MllpFrameReader r(100);
  r.feed(mllp_frame("ok"));
  r.feed("\x0B" + std::string(60, 'a'));
  r.feed(std::string(60, 'b'));
  auto first = r.next();
  ASSERT_TRUE(first && first.value());  // completed before the failure: still delivered
  EXPECT_EQ(*first.value(), "ok");
  auto failed = r.next();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().fault, core::Fault::kTooLarge);
  EXPECT_THAT(failed.error().reason, HasSubstr("over the 100-byte limit"));
  EXPECT_EQ(r.current_frame().size(), 100u);
  r.feed(mllp_frame("after"));  // a failed reader stays failed
  EXPECT_FALSE(r.next());
  // Exactly at the limit is fine.
  MllpFrameReader exact(100);
  exact.feed(mllp_frame(std::string(100, 'x')));
  EXPECT_EQ(drain(exact).size(), 1u);
}

TEST(MllpFrameReader, EndBlockWithoutCarriageReturnFails) {
  MllpFrameReader r;
  r.feed("\x0Bmsg\x1Cx");
  auto failed = r.next();
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().reason, HasSubstr("0x1C is not followed by 0x0D"));
}

TEST(MllpFrameReader, UnframedDataFailsAfterOneKibibyte) {
  MllpFrameReader r;
  r.feed(std::string(1024, 'M'));
  EXPECT_TRUE(r.next().has_value());
  EXPECT_EQ(r.stray_bytes(), 1024u);
  r.feed("M");
  auto failed = r.next();
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().reason, HasSubstr("outside MLLP frames"));
}

}  // namespace
}  // namespace surgilink::vitals
