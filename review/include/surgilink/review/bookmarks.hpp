#pragma once
// A trainer's bookmarks on a recorded case (issue 16): a time and a comment each, kept in a file of their own
// beside the recording's files (bookmarks.json in its folder), so the recording itself is never modified and
// its seals stay valid.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::review {

// Plain value type.
struct Bookmark {
  core::CaptureTime at{};  // the moment, on the recording's capture clock
  std::string by;          // who set it (a trainer's name)
  std::string comment;
  bool operator==(const Bookmark&) const = default;
};

// {"format": "surgilink-bookmarks/1", "bookmarks": [{"capture_ns", "by", "comment"}]} in time order.
// Blocking; any thread (one writer at a time per recording).
struct Bookmarks {
  static constexpr std::string_view kFormat = "surgilink-bookmarks/1";
  static constexpr std::string_view kFileName = "bookmarks.json";

  // The bookmarks of the recording in `folder`: none when it has no bookmarks file; nullopt with `why` when
  // the file cannot be read or is not a bookmarks file.
  static std::optional<std::vector<Bookmark>> read(const std::filesystem::path& folder, std::string* why);
  // Writes them whole (time order; a temporary file renamed into place, mode 0600). Returns why it failed, or
  // nothing.
  static std::optional<std::string> write(const std::filesystem::path& folder,
                                          std::vector<Bookmark> bookmarks);
};

}  // namespace surgilink::review
