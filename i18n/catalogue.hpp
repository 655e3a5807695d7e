#pragma once
// SurgiLink's translation catalogues (surgilink_<lang>.ts here, compiled by lrelease and embedded under
// :/i18n/), shared by the console and the OR sender.

class QLocale;
class QTranslator;

namespace surgilink {

// Loads the catalogue for `locale` into `translator` (ja_JP, then ja); false when the program has none.
bool load_catalogue(QTranslator& translator, const QLocale& locale);

}  // namespace surgilink
