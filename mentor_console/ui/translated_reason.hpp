#pragma once
// Reasons the session library and the sender give in English (a refusal, a lost link, a drawing not
// accepted), in the window's language. The session library has no Qt and the sender's reasons arrive as
// text, so the console recognises the sentence shapes it knows and translates them; names, numbers and
// technical detail (OpenSSL's words) inside them are kept as they are.

#include <QString>

namespace surgilink::console {

// `english` translated when its shape is known (parts translated too, e.g. the sender's reason inside "X
// refused this console: ..."), else unchanged. GUI thread (uses the installed translators).
QString translated_reason(const QString& english);

}  // namespace surgilink::console
