#pragma once
// The language of the console window: Qt's translation catalogues (i18n/surgilink_<lang>.ts, compiled by
// lrelease and embedded under :/i18n/), chosen from [ui] language / --language or the system locale.

#include <string>

class QGuiApplication;

namespace surgilink::console {

// Installs the catalogue for `language` ("ja", "en" or "system": the first of QLocale::system()'s UI
// languages that has one, else English) into `app`, and returns what was chosen for the log ("ja (system
// locale ja_JP)"). The English catalogue holds the plural forms only: the source strings are English.
// For Japanese it also names the fonts for Japanese text (see the .cpp). GUI thread, after the application
// exists and before any QML is loaded; the translator lives as long as `app`.
std::string install_console_language(QGuiApplication& app, const std::string& language);

}  // namespace surgilink::console
