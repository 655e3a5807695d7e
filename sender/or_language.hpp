#pragma once
// The OR display's language (issue 13): its words from Qt's catalogue, the one the console uses, chosen by
// [ui] language / --language or the system locale. Only this part of the sender knows Qt (Core, no GUI).

#include <string>

#include "or_words.hpp"

namespace surgilink::sender {

struct OrLanguage {
  OrWords words;
  std::string chosen;  // for the log: "ja (configured)", "en (system locale de_DE has no catalogue)"
};

// `language`: "ja", "en" or "system" (the first of the system locale's UI languages with a catalogue, else
// English). Needs no QCoreApplication. Any thread, at start.
OrLanguage load_or_language(const std::string& language);

}  // namespace surgilink::sender
