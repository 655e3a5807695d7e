#include "or_language.hpp"

#include <QLocale>
#include <QTranslator>

#include "catalogue.hpp"

namespace surgilink::sender {

OrLanguage load_or_language(const std::string& language) {
  QTranslator translator;
  OrLanguage out;
  if (language == "system") {
    const QLocale system = QLocale::system();
    if (!load_catalogue(translator, system))
      return {{}, "en (no catalogue for the system locale " + system.name().toStdString() + ")"};
    out.chosen = translator.language().toStdString() + " (system locale " + system.name().toStdString() + ")";
  } else if (!load_catalogue(translator, QLocale(QString::fromStdString(language)))) {
    // Embedded at build time: missing means a broken build, not a user's mistake.
    return {{}, language + " (catalogue missing from the program: English shown)"};
  } else {
    out.chosen = language + " (configured)";
  }
  std::map<std::string, std::string, std::less<>> translations;
  for (const std::string_view english : all_or_words()) {
    const std::string key(english);
    // Empty: not in the catalogue (or the English one, which holds plural forms only): stays English.
    const QString translated = translator.translate("OrDisplay", key.c_str());
    if (!translated.isEmpty()) translations.emplace(key, translated.toStdString());
  }
  out.words = OrWords(std::move(translations));
  return out;
}

}  // namespace surgilink::sender
