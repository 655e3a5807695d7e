// The console in Japanese (issue 13, "In the team's language"): the real QML window under Xvfb, on the start
// screen, refused, and live on a sender. Checks that the Japanese catalogue is complete, that no text on
// screen still shows an English source string the catalogue translates, and that no text is cut off; leaves
// a screenshot of each screen for a person to look at (/work/measure/ when that folder exists, else the
// test's scratch folder).
#include <QFontMetricsF>
#include <QRegularExpression>
#include <QXmlStreamReader>

#include "console_fixture.hpp"

namespace surgilink::console {

[[maybe_unused]] const auto* const kJapanese = ::testing::AddGlobalTestEnvironment(new QtApplication("ja"));

namespace {

const std::filesystem::path kCatalogue =
    std::filesystem::path(SURGILINK_SOURCE_DIR) / "i18n" / "surgilink_ja.ts";

// One <message> of a .ts file.
struct CatalogueEntry {
  QString context, source;
  QStringList translations;  // one, or one per numerus form
  bool unfinished = false;
};

std::vector<CatalogueEntry> read_catalogue(const QString& xml) {
  std::vector<CatalogueEntry> entries;
  QXmlStreamReader reader(xml);
  QString context;
  bool numerus = false;
  while (!reader.atEnd()) {
    if (reader.readNext() != QXmlStreamReader::StartElement) continue;
    if (reader.name() == u"name") {
      context = reader.readElementText();
    } else if (reader.name() == u"message") {
      numerus = reader.attributes().value("numerus") == u"yes";
      entries.push_back({context, {}, {}, false});
    } else if (reader.name() == u"source" && !entries.empty()) {
      entries.back().source = reader.readElementText();
    } else if (reader.name() == u"translation" && !entries.empty()) {
      const QString type = reader.attributes().value("type").toString();
      // Obsolete and vanished entries are no longer shown: only what the program uses must be translated.
      if (type == "obsolete" || type == "vanished") {
        entries.pop_back();
        reader.skipCurrentElement();
        continue;
      }
      entries.back().unfinished = type == "unfinished";
      // A plural message's forms follow as <numerusform> children.
      if (!numerus) entries.back().translations << reader.readElementText();
    } else if (reader.name() == u"numerusform" && !entries.empty()) {
      entries.back().translations << reader.readElementText();
    }
  }
  return entries;
}

// Entries a Japanese reader would see in English: unfinished, or with an empty translation.
std::vector<std::string> unfinished_entries(const QString& xml) {
  std::vector<std::string> problems;
  for (const auto& e : read_catalogue(xml)) {
    const bool empty =
        e.translations.isEmpty() || std::any_of(e.translations.begin(), e.translations.end(),
                                                [](const QString& t) { return t.trimmed().isEmpty(); });
    if (e.unfinished || empty)
      problems.push_back(e.context.toStdString() + ": \"" + e.source.toStdString() + "\"" +
                         (e.unfinished ? " unfinished" : " has no translation"));
  }
  return problems;
}

QString file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return QString::fromStdString(std::string(std::istreambuf_iterator<char>(in), {}));
}

// An English source string as a pattern for what it shows: its placeholders (%1, %n) match anything.
struct EnglishShape {
  QString source;
  QRegularExpression pattern;
};

// The sources the catalogue translates differently, with some English words of their own (a bare "%1 (%2)"
// would match any text with brackets).
std::vector<EnglishShape> english_shapes(const QString& xml) {
  std::vector<EnglishShape> shapes;
  for (const auto& e : read_catalogue(xml)) {
    if (e.translations.contains(e.source)) continue;
    QString words = e.source;
    words.remove(QRegularExpression("%[0-9n]"));
    if (!words.contains(QRegularExpression("[A-Za-z]{2,}"))) continue;
    QString pattern = QRegularExpression::escape(e.source);
    pattern.replace(QRegularExpression(R"(\\?%[0-9n])"), ".*");
    shapes.push_back({e.source, QRegularExpression("^" + pattern + "$")});
  }
  return shapes;
}

// The catalogue's translations that have variable parts, as patterns of what they show: an elided text is
// fine when only its last variable part is cut (a list of names, a device's own error text), never the words.
std::vector<QRegularExpression> translated_shapes(const QString& xml) {
  std::vector<QRegularExpression> shapes;
  for (const auto& e : read_catalogue(xml)) {
    for (const auto& t : e.translations) {
      if (!t.contains(QRegularExpression("%[0-9n]"))) continue;
      QString pattern = QRegularExpression::escape(t);
      pattern.replace(QRegularExpression(R"(\\?%[0-9n])"), "(.*?)");
      shapes.emplace_back("^" + pattern + "$");
    }
  }
  return shapes;
}

// The words before a translation's last variable part fit in the text's box.
bool only_the_tail_is_cut(QQuickItem* t, const QString& text, const std::vector<QRegularExpression>& shapes) {
  const QFontMetricsF metrics(t->property("font").value<QFont>());
  for (const auto& shape : shapes) {
    const auto match = shape.match(text);
    if (!match.hasMatch()) continue;
    const QString words = text.left(match.capturedStart(match.lastCapturedIndex()));
    if (metrics.horizontalAdvance(words) <= t->width()) return true;
  }
  return false;
}

// Every visible Text item under `root` (Repeater delegates included, which have no QObject parent).
void visible_texts(QQuickItem* root, std::vector<QQuickItem*>& found) {
  if (!root->isVisible() || root->opacity() <= 0) return;
  if (root->inherits("QQuickText") && !root->property("text").toString().isEmpty()) found.push_back(root);
  for (auto* child : root->childItems()) visible_texts(child, found);
}

// What a person would see wrong on this screen: English that has a translation, and text cut off (elided,
// wider than its box, or past the window's edge).
std::vector<std::string> screen_problems(QQuickWindow& window, const std::vector<EnglishShape>& english,
                                         const std::vector<QRegularExpression>& translated) {
  std::vector<std::string> problems;
  std::vector<QQuickItem*> texts;
  visible_texts(window.contentItem(), texts);
  if (texts.empty()) problems.push_back("no visible text at all");
  for (auto* t : texts) {
    const QString text = t->property("text").toString();
    const std::string quoted = "\"" + text.toStdString() + "\"";
    for (const auto& shape : english) {
      if (shape.pattern.match(text).hasMatch())
        problems.push_back(quoted + " is the English \"" + shape.source.toStdString() + "\"");
    }
    if (t->property("truncated").toBool() && !only_the_tail_is_cut(t, text, translated))
      problems.push_back(quoted + " is cut off (elided within its words)");
    // Without eliding or wrapping, a text wider than its box runs over what is beside it.
    const bool elides = t->property("elide").toInt() != 0;
    const bool wraps = t->property("wrapMode").toInt() != 0;
    if (!elides && !wraps && t->implicitWidth() > t->width() + 1)
      problems.push_back(quoted + " needs " + std::to_string(t->implicitWidth()) + " px, has " +
                         std::to_string(t->width()));
    // Inside the box it was laid out in (a panel's column, the session bar's row), not running over its edge.
    if (auto* parent = t->parentItem(); parent != nullptr && parent->width() > 0 && !wraps && !elides) {
      const QRectF own = t->mapRectToItem(parent, QRectF(0, 0, t->implicitWidth(), t->height()));
      if (own.left() < -1 || own.right() > parent->width() + 1)
        problems.push_back(quoted + " runs over the edge of its " + parent->metaObject()->className() +
                           " (x " + std::to_string(own.left()) + " to " + std::to_string(own.right()) +
                           " of " + std::to_string(parent->width()) + ")");
    }
    const QRectF box = t->mapRectToScene(QRectF(0, 0, std::min(t->width(), t->implicitWidth()), t->height()));
    if (box.left() < -1 || box.right() > window.width() + 1)
      problems.push_back(quoted + " runs past the window's edge (x " + std::to_string(box.left()) + " to " +
                         std::to_string(box.right()) + ")");
  }
  return problems;
}

std::filesystem::path screenshot_dir(const std::filesystem::path& scratch) {
  const std::filesystem::path measure = "/work/measure";
  return std::filesystem::is_directory(measure) ? measure : scratch;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += "\n  " + l;
  return all;
}

// What the suite saw on each screen, taken once: the set-up takes seconds.
struct Screens {
  std::vector<std::string> start, refused, live, live_panels;
  QString state, refusal;
};

class ConsoleJapanese : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto folder = testing::scratch_dir("console-japanese");
    const auto shots = screenshot_dir(folder);
    const QString catalogue = file_text(kCatalogue);
    const auto english = english_shapes(catalogue);
    const auto translated = translated_shapes(catalogue);
    screens_.emplace();
    live_ = std::make_unique<ConsoleOnSender>(folder, testing::write_sender_config(folder),
                                              std::vector<std::string>{}, ConsoleSetup{});
    auto& c = live_->console;
    if (c.window == nullptr || c.field == nullptr) {
      problem_ = "Main.qml did not load";
      return;
    }
    if (!QTest::qWaitForWindowExposed(c.window)) problem_ = "the window was never shown";
    // A grab renders the window as it stands (polished, laid out): what a person sees, then walked.
    c.window->grabWindow().save(QString::fromStdString((shots / "console-ja-start.png").string()));
    screens_->start = screen_problems(*c.window, english, translated);

    // A certificate the sender does not know: the start screen gives the sender's reason.
    LiveConsole stranger(folder, live_->sender, ConsoleSetup{.identity = "unlisted"});
    if (stranger.window != nullptr) {
      stranger.mentor.connectTo(QString::fromStdString(stranger.settings.site.name));
      run_until(
          stranger.mentor, *stranger.field,
          [&] { return stranger.mentor.state() == ConnectionState::Refused; }, milliseconds{10000});
      screens_->refusal = stranger.mentor.detail();
      stranger.window->grabWindow().save(QString::fromStdString((shots / "console-ja-refused.png").string()));
      screens_->refused = screen_problems(*stranger.window, english, translated);
    }

    c.mentor.connectTo(QString::fromStdString(c.settings.site.name));
    if (!run_until(
            c.mentor, *c.field,
            [&] { return c.mentor.hasLatency() && c.mentor.mayDraw() && c.field->framesShown() > 30; },
            milliseconds{20000})) {
      problem_ = "not ready: state " + c.mentor.stateName().toStdString();
      return;
    }
    // Vitals and their age arrive each second: one more status round so that the panel has its words.
    const int shown = c.field->framesShown();
    run_until(
        c.mentor, *c.field, [&] { return c.field->framesShown() > shown + 30; }, milliseconds{3000});
    screens_->state = c.mentor.stateName();
    c.window->grabWindow().save(QString::fromStdString((shots / "console-ja.png").string()));
    screens_->live = screen_problems(*c.window, english, translated);
    // The cards a key opens (F1, L): shown, walked, hidden again.
    auto* help = find_item(c.window->contentItem(), "shortcutHelp");
    auto* plot = find_item(c.window->contentItem(), "latencyPlot");
    if (help == nullptr || plot == nullptr) {
      screens_->live_panels.push_back("no shortcut card or latency plot in the window");
      return;
    }
    help->setVisible(true);
    plot->parentItem()->setVisible(true);
    c.window->grabWindow().save(QString::fromStdString((shots / "console-ja-cards.png").string()));
    screens_->live_panels = screen_problems(*c.window, english, translated);
    help->setVisible(false);
    plot->parentItem()->setVisible(false);
  }
  static void TearDownTestSuite() { live_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(screens_.has_value());
    ASSERT_TRUE(problem_.empty()) << problem_;
  }

  static inline std::unique_ptr<ConsoleOnSender> live_;
  static inline std::optional<Screens> screens_;
  static inline std::string problem_;
};

TEST(JapaneseCatalogue, HasNoUnfinishedOrEmptyEntries) {
  const QString xml = file_text(kCatalogue);
  ASSERT_FALSE(xml.isEmpty()) << kCatalogue;
  EXPECT_GT(read_catalogue(xml).size(), 100u);
  const auto problems = unfinished_entries(xml);
  EXPECT_TRUE(problems.empty()) << kCatalogue
                                << " has entries a Japanese reader would see in English:" << joined(problems);
}

TEST(JapaneseCatalogue, TheCheckFindsAnUnfinishedAndAnEmptyEntry) {
  // The check above must fail when an entry is left as lupdate adds it.
  const QString xml =
      R"(<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="ja_JP">
<context><name>Main</name>
<message><source>done</source><translation>済み</translation></message>
<message><source>new</source><translation type="unfinished"></translation></message>
<message><source>empty</source><translation></translation></message>
<message numerus="yes"><source>%n other(s)</source><translation><numerusform>他 %n 名</numerusform></translation></message>
<message><source>gone</source><translation type="vanished">消えた</translation></message>
</context></TS>)";
  EXPECT_EQ(read_catalogue(xml).size(), 4u);
  EXPECT_THAT(unfinished_entries(xml),
              ::testing::ElementsAre("Main: \"new\" unfinished", "Main: \"empty\" has no translation"));
}

TEST_F(ConsoleJapanese, TheWindowSpeaksJapanese) {
  // The catalogue is in the program and installed: the session bar's state is the Japanese word.
  EXPECT_EQ(screens_->state.toStdString(), "接続済み");
}

TEST_F(ConsoleJapanese, StartScreenHasNoEnglishLeftAndNothingCutOff) {
  EXPECT_TRUE(screens_->start.empty()) << joined(screens_->start);
}

TEST_F(ConsoleJapanese, ARefusalIsGivenInJapaneseWithTheSendersNamesKept) {
  const std::string refusal = screens_->refusal.toStdString();
  EXPECT_THAT(refusal, ::testing::HasSubstr("がこのコンソールの接続を拒否しました"));
  EXPECT_THAT(refusal, ::testing::HasSubstr("証明書「Dev Unlisted"));
  EXPECT_THAT(refusal, ::testing::HasSubstr("Test OR のアクセスリストに登録されていません"));
  EXPECT_TRUE(screens_->refused.empty()) << joined(screens_->refused);
}

TEST_F(ConsoleJapanese, LiveWindowHasNoEnglishLeftAndNothingCutOff) {
  EXPECT_TRUE(screens_->live.empty()) << joined(screens_->live);
}

TEST_F(ConsoleJapanese, ShortcutCardAndLatencyPanelHaveNoEnglishLeftAndNothingCutOff) {
  EXPECT_TRUE(screens_->live_panels.empty()) << joined(screens_->live_panels);
}

}  // namespace
}  // namespace surgilink::console
