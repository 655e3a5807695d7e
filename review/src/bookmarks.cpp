#include "surgilink/review/bookmarks.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "surgilink/media/recording_manifest.hpp"

namespace surgilink::review {

std::optional<std::vector<Bookmark>> Bookmarks::read(const std::filesystem::path& folder, std::string* why) {
  const auto file = folder / kFileName;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::vector<Bookmark>{};
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!in || !j.is_object() || j.value("format", "") != kFormat || !j.contains("bookmarks") ||
      !j["bookmarks"].is_array()) {
    if (why) *why = file.string() + " is not a " + std::string(kFormat) + " file";
    return std::nullopt;
  }
  std::vector<Bookmark> out;
  for (const auto& b : j["bookmarks"]) {
    if (!b.is_object() || !b.contains("capture_ns") || !b["capture_ns"].is_number_integer()) {
      if (why) *why = file.string() + ": a bookmark without its capture_ns";
      return std::nullopt;
    }
    out.push_back({core::CaptureTime{std::chrono::nanoseconds{b["capture_ns"].get<std::int64_t>()}},
                   b.value("by", ""), b.value("comment", "")});
  }
  return out;
}

std::optional<std::string> Bookmarks::write(const std::filesystem::path& folder,
                                            std::vector<Bookmark> bookmarks) {
  std::stable_sort(bookmarks.begin(), bookmarks.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  nlohmann::json list = nlohmann::json::array();
  for (const auto& b : bookmarks)
    list.push_back({{"capture_ns", b.at.time_since_epoch().count()}, {"by", b.by}, {"comment", b.comment}});
  const nlohmann::json j = {{"format", kFormat}, {"bookmarks", list}};
  const auto file = folder / kFileName;
  const auto temporary = folder / (std::string(kFileName) + ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!out) return "cannot write " + temporary.string();
  }
  ::chmod(temporary.c_str(), 0600);
  if (!media::flush_to_disk(temporary)) return "cannot flush " + temporary.string() + " to the disk";
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) return "cannot replace " + file.string() + ": " + ec.message();
  return std::nullopt;
}

}  // namespace surgilink::review
