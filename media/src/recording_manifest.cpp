#include "surgilink/media/recording_manifest.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace surgilink::media {

namespace {

using nlohmann::json;

std::int64_t ns(core::CaptureTime t) { return t.time_since_epoch().count(); }
core::CaptureTime at_ns(std::int64_t n) { return core::CaptureTime{std::chrono::nanoseconds{n}}; }

json seal_json(const std::optional<FileSeal>& seal, json j) {
  if (seal) {
    j["bytes"] = seal->bytes;
    j["sha256"] = seal->sha256;
  }
  return j;
}

std::optional<FileSeal> seal_from(const json& j) {
  if (!j.contains("sha256")) return std::nullopt;
  return FileSeal{j.at("bytes").get<std::uint64_t>(), j.at("sha256").get<std::string>()};
}

// A file name the manifest may list: a plain name inside the recording's folder, never a path out of it.
bool plain_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

// A video segment counts frames, a voice file packets (and names its talker).
json segment_json(const ManifestSegment& s) {
  json j = {{"file", s.file},
            {"first_capture_ns", ns(s.first)},
            {"last_capture_ns", ns(s.last)},
            {s.talker.empty() ? "frames" : "packets", s.frames},
            {"closed", s.closed}};
  if (!s.talker.empty()) j["talker"] = s.talker;
  if (!s.repaired.empty()) j["repaired"] = s.repaired;
  if (s.intra_refresh) j["intra_refresh_ms"] = s.intra_refresh->count();
  return seal_json(s.seal, std::move(j));
}

ManifestSegment segment_from(const json& s, bool voice) {
  ManifestSegment segment{s.at("file").get<std::string>(),
                          at_ns(s.at("first_capture_ns").get<std::int64_t>()),
                          at_ns(s.at("last_capture_ns").get<std::int64_t>()),
                          s.at(voice ? "packets" : "frames").get<std::uint64_t>(),
                          s.at("closed").get<bool>(),
                          seal_from(s),
                          s.value("repaired", ""),
                          voice ? s.at("talker").get<std::string>() : std::string(),
                          std::nullopt};
  if (!plain_name(segment.file)) throw std::invalid_argument("segment file \"" + segment.file + "\"");
  if (s.contains("intra_refresh_ms")) {
    const auto wave = s["intra_refresh_ms"].get<std::int64_t>();
    if (wave <= 0 || wave > 600'000) throw std::invalid_argument("intra_refresh_ms " + std::to_string(wave));
    segment.intra_refresh = std::chrono::milliseconds{wave};
  }
  return segment;
}

}  // namespace

const char* describe(RecordingState state) {
  switch (state) {
    case RecordingState::kRecording:
      return "recording";
    case RecordingState::kComplete:
      return "complete";
    case RecordingState::kRecovered:
      return "recovered";
  }
  return "?";
}

std::string RecordingManifest::to_json() const {
  json segments_json = json::array();
  for (const auto& s : segments) segments_json.push_back(segment_json(s));
  json voice_json = json::array();
  for (const auto& v : voice) voice_json.push_back(segment_json(v));
  json files_json = json::array();
  for (const auto& f : files) files_json.push_back(seal_json(f.seal, {{"role", f.role}, {"file", f.file}}));
  json doc = {{"format", kFormat},
              {"state", describe(state)},
              {"software", software},
              {"case", case_pseudonym},
              {"site", site},
              {"video", video},
              {"started_capture_ns", ns(started)},
              {"ended_capture_ns", ended ? json(ns(*ended)) : json(nullptr)},
              {"segments", segments_json},
              {"voice", voice_json},
              {"files", files_json},
              {"notes", notes}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<RecordingManifest> RecordingManifest::parse(std::string_view text, std::string* why) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    if (why) *why = "not JSON";
    return std::nullopt;
  }
  try {
    const std::string format = doc.value("format", "");
    if (format != kFormat && format != "surgilink-recording/2" && format != "surgilink-recording/1") {
      if (why) *why = "unknown format \"" + format + "\"";
      return std::nullopt;
    }
    RecordingManifest m;
    const std::string state = doc.value("state", "recording");
    m.state = state == "complete"    ? RecordingState::kComplete
              : state == "recovered" ? RecordingState::kRecovered
                                     : RecordingState::kRecording;
    m.software = doc.value("software", "");
    m.case_pseudonym = doc.value("case", "");
    m.site = doc.value("site", "");
    m.video = doc.value("video", "");
    m.started = at_ns(doc.value("started_capture_ns", std::int64_t{0}));
    if (doc.contains("ended_capture_ns") && doc["ended_capture_ns"].is_number_integer())
      m.ended = at_ns(doc["ended_capture_ns"].get<std::int64_t>());
    for (const auto& s : doc.at("segments")) m.segments.push_back(segment_from(s, false));
    if (doc.contains("voice")) {
      for (const auto& v : doc["voice"]) m.voice.push_back(segment_from(v, true));
    }
    if (doc.contains("files")) {
      for (const auto& f : doc["files"]) {
        ManifestFile file{f.at("role").get<std::string>(), f.at("file").get<std::string>(), seal_from(f)};
        if (!plain_name(file.file)) throw std::invalid_argument("file \"" + file.file + "\"");
        m.files.push_back(std::move(file));
      }
    }
    if (doc.contains("notes")) m.notes = doc["notes"].get<std::vector<std::string>>();
    // Format 1 had no start time: its first frame.
    if (m.started == core::CaptureTime{} && !m.segments.empty()) m.started = m.segments.front().first;
    return m;
  } catch (const std::exception& e) {
    if (why) *why = std::string("malformed: ") + e.what();
    return std::nullopt;
  }
}

std::optional<RecordingManifest> RecordingManifest::read(const std::filesystem::path& folder,
                                                         std::string* why) {
  std::ifstream in(folder / kFileName);
  if (!in) {
    if (why) *why = std::string(kFileName) + " is missing or unreadable";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string problem;
  auto m = parse(text.str(), &problem);
  if (!m && why) *why = std::string(kFileName) + ": " + problem;
  return m;
}

std::optional<std::string> RecordingManifest::write(const std::filesystem::path& folder) const {
  const auto path = folder / kFileName;
  const auto temporary = folder / (std::string(kFileName) + ".tmp");
  const std::string text = to_json();
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + temporary.string() + ": " + std::strerror(errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return "cannot write " + temporary.string() + ": " + why;
    }
    done += static_cast<std::size_t>(n);
  }
  // On the disk before it replaces the old one: after a power cut the manifest is the old or the new.
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return "cannot flush " + temporary.string() + ": " + std::strerror(errno);
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return "cannot write " + path.string() + ": " + ec.message();
  return std::nullopt;
}

const ManifestFile* RecordingManifest::file(std::string_view role) const {
  for (const auto& f : files) {
    if (f.role == role) return &f;
  }
  return nullptr;
}

std::optional<FileSeal> seal_of(const std::filesystem::path& file, std::string* why) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (why) *why = "cannot read " + file.string();
    return std::nullopt;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    if (why) *why = "SHA-256 unavailable";
    return std::nullopt;
  }
  FileSeal seal;
  std::array<char, 1 << 16> block{};
  while (in) {
    in.read(block.data(), block.size());
    const auto n = in.gcount();
    if (n <= 0) break;
    EVP_DigestUpdate(context.get(), block.data(), static_cast<std::size_t>(n));
    seal.bytes += static_cast<std::uint64_t>(n);
  }
  if (in.bad()) {
    if (why) *why = "read error in " + file.string();
    return std::nullopt;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    seal.sha256 += kHex[digest[i] >> 4];
    seal.sha256 += kHex[digest[i] & 0xF];
  }
  return seal;
}

namespace {
// What is wrong with one listed file against its seal (nothing when it matches).
std::optional<std::string> seal_problem(const std::filesystem::path& folder, const std::string& name,
                                        const std::optional<FileSeal>& sealed) {
  if (!std::filesystem::exists(folder / name)) return name + " is missing";
  if (!sealed) return name + " has no seal in the manifest (never closed, or written before seals)";
  std::string why;
  const auto found = seal_of(folder / name, &why);
  if (!found) return name + ": " + why;
  if (found->bytes != sealed->bytes)
    return name + " has " + std::to_string(found->bytes) + " bytes, the manifest sealed " +
           std::to_string(sealed->bytes);
  if (found->sha256 != sealed->sha256) return name + " does not match its SHA-256 (changed or damaged)";
  return std::nullopt;
}
}  // namespace

std::vector<std::string> verify_recording(const std::filesystem::path& folder) {
  std::string why;
  const auto manifest = RecordingManifest::read(folder, &why);
  if (!manifest) return {why};
  std::vector<std::string> problems;
  if (manifest->state == RecordingState::kRecording)
    problems.push_back(
        "the manifest says it is still being written (a running sender, or one that stopped without closing "
        "it and has not started again)");
  if (manifest->segments.empty()) problems.push_back("the manifest lists no video segment");
  for (const auto* list : {&manifest->segments, &manifest->voice}) {
    for (const auto& s : *list) {
      if (!s.closed)
        problems.push_back(s.file + " was never closed" + (s.repaired.empty() ? "" : ": " + s.repaired));
      if (auto problem = seal_problem(folder, s.file, s.seal)) problems.push_back(std::move(*problem));
    }
  }
  for (const auto& f : manifest->files) {
    if (auto problem = seal_problem(folder, f.file, f.seal))
      problems.push_back(std::move(*problem) + " (" + f.role + ")");
  }
  return problems;
}

bool flush_to_disk(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace surgilink::media
