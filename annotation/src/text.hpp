#pragma once
// Text checks shared by the scene rules, the authority and the wire form (private to the library).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace surgilink::annotation::detail {

// Number of Unicode code points of `text`, or nullopt when it is not valid UTF-8 or holds a control character
// (labels are one line of visible text).
std::optional<std::size_t> visible_code_points(std::string_view text);
// The code points of `text`, under the same rules.
std::optional<std::u32string> visible_text(std::string_view text);

// `text` cut to a few dozen bytes with anything unprintable replaced, for quoting input inside a reason.
std::string quoted(std::string_view text);

}  // namespace surgilink::annotation::detail
