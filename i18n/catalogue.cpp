#include "catalogue.hpp"

#include <QLocale>
#include <QTranslator>

namespace surgilink {

bool load_catalogue(QTranslator& translator, const QLocale& locale) {
  return translator.load(locale, "surgilink", "_", ":/i18n");
}

}  // namespace surgilink
