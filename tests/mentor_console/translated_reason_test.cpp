// Reasons from the session and the sender in the window's language: the Japanese catalogue (as the program
// embeds it) installed for each test, removed after, so the other tests of this program see English.
#include "ui/translated_reason.hpp"

#include <gtest/gtest.h>
#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace surgilink::console {
namespace {

class TranslatedReason : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(QCoreApplication::instance(), nullptr);
    ASSERT_TRUE(japanese_.load(QLocale(QLocale::Japanese), "surgilink", "_", ":/i18n"));
    QCoreApplication::installTranslator(&japanese_);
  }
  void TearDown() override { QCoreApplication::removeTranslator(&japanese_); }
  static std::string in_japanese(const char* english) {
    return translated_reason(QString::fromUtf8(english)).toStdString();
  }

 private:
  QTranslator japanese_;
};

TEST_F(TranslatedReason, TheSendersRefusalIsTranslatedInsideTheConsolesWordsWithNamesKept) {
  EXPECT_EQ(
      in_japanese("OR 3 (10.0.0.5:7400) refused this console: certificate \"Dr. A\" (sha256:ab) is not in "
                  "the access list of OR 3"),
      "OR 3 (10.0.0.5:7400) がこのコンソールの接続を拒否しました: 証明書「Dr. A」（sha256:ab）は OR 3 "
      "のアクセスリストに登録されていません");
}

TEST_F(TranslatedReason, AnUnknownReasonOrPartIsKeptAsItCame) {
  EXPECT_EQ(in_japanese("something new went wrong"), "something new went wrong");
  // OpenSSL's own words stay; the sentence around them is translated.
  EXPECT_EQ(in_japanese("TLS handshake with 10.0.0.5:7400: certificate verify failed"),
            "10.0.0.5:7400 との TLS ハンドシェイクに失敗しました: certificate verify failed");
}

TEST_F(TranslatedReason, APlaceholderInsideANameIsNotFilledAgain) {
  EXPECT_EQ(in_japanese("Dr. %2 holds the pen"), "Dr. %2 がペンを持っています");
}

TEST_F(TranslatedReason, RetryingAndJoinedVoiceProblemsAreTranslatedPartByPart) {
  EXPECT_EQ(in_japanese("no answer from OR 1: Connection refused (trying again in 500 ms)"),
            "OR 1 から応答がありません: Connection refused（500 ms 後に再試行）");
  EXPECT_EQ(in_japanese("no sound output: device busy - the session goes on without sound; no microphone: "
                        "device busy - the mentor is not heard"),
            "音声出力なし: device busy — セッションは音声なしで継続します、マイクなし: device busy — "
            "指導医の声は手術室に届きません");
}

TEST(TranslatedReasonInEnglish, WithoutACatalogueTheReasonIsUnchanged) {
  EXPECT_EQ(translated_reason("the surgeon has taken the pen back").toStdString(),
            "the surgeon has taken the pen back");
}

}  // namespace
}  // namespace surgilink::console
