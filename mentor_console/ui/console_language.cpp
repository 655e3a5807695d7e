#include "console_language.hpp"

#include <QFont>
#include <QFontInfo>
#include <QGuiApplication>
#include <QLocale>
#include <QTranslator>

#include "catalogue.hpp"

namespace surgilink::console {

namespace {
bool load(QTranslator& translator, const QLocale& locale) { return load_catalogue(translator, locale); }
}  // namespace

std::string install_console_language(QGuiApplication& app, const std::string& language) {
  // Owned by the application, so that it outlives every window that uses it.
  auto* translator = new QTranslator(&app);
  std::string chosen;
  if (language == "system") {
    const QLocale system = QLocale::system();
    if (load(*translator, system)) {
      chosen = translator->language().toStdString() + " (system locale " + system.name().toStdString() + ")";
    } else {
      load(*translator, QLocale(QLocale::English));
      chosen = "en (no catalogue for the system locale " + system.name().toStdString() + ")";
    }
  } else {
    if (!load(*translator, QLocale(QString::fromStdString(language)))) {
      // Embedded at build time: missing means a broken build, not a user's mistake.
      delete translator;
      return language + " (catalogue missing from the program: English shown)";
    }
    chosen = language + " (configured)";
  }
  app.installTranslator(translator);
  if (translator->language().startsWith("ja")) {
    // Qt draws the digits and Latin letters inside a Japanese sentence with the font it found for Japanese;
    // fontconfig's first is IPAGothic, whose Latin is fixed-width ("31 ms", "127.0.0.1" look typewritten).
    // Named here, a proportional Japanese font is taken first (Noto Sans CJK where installed).
    // The family the default font resolves to (DejaVu Sans), not its alias ("Sans Serif"), which a list of
    // families would skip: Latin text keeps its font.
    QFont font = QGuiApplication::font();
    font.setFamilies({QFontInfo(font).family(), "Noto Sans CJK JP", "IPAPGothic"});
    QGuiApplication::setFont(font);
  }
  return chosen;
}

}  // namespace surgilink::console
