// surgilink-review: a trainer's tools for a recorded case, headless (issue 16; README: Recordings):
// `verify PATH` checks a recording against its manifest; `show PATH --at SECONDS [--png OUT.png]` prints the
// state of the case at that moment as JSON and saves the picture as the OR display showed it; `report PATH
// --out REPORT.html` writes the case report; `bookmark` and `bookmarks` add and list a trainer's bookmarks.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/review/case_moment_view.hpp"
#include "surgilink/review/case_report.hpp"
#include "surgilink/review/clip_export.hpp"
#include "surgilink/review/recorded_case.hpp"

namespace {

using surgilink::media::RecordingManifest;

// One line on what the recording is, for an intact one.
std::string summary(const RecordingManifest& m) {
  const auto video =
      m.segments.empty() ? std::chrono::nanoseconds{0} : m.segments.back().last - m.segments.front().first;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", std::chrono::duration<double>(video).count());
  return std::string(describe(m.state)) + ", written by " + (m.software.empty() ? "?" : m.software) +
         ", case " + (m.case_pseudonym.empty() ? "?" : m.case_pseudonym) + ", " +
         std::to_string(m.segments.size()) + " segments (" + seconds + " s of video), " +
         std::to_string(m.voice.size()) + " voice files, " + std::to_string(m.files.size()) + " other files";
}

int verify(const std::filesystem::path& folder) {
  const auto problems = surgilink::media::verify_recording(folder);
  if (!problems.empty()) {
    std::printf("%s: NOT intact\n", folder.c_str());
    for (const auto& p : problems) std::printf("  - %s\n", p.c_str());
    return 1;
  }
  const auto manifest = RecordingManifest::read(folder, nullptr);
  std::printf("%s: intact (%s)\n", folder.c_str(), summary(*manifest).c_str());
  // A recovered recording is intact as recovered: say what its recovery found.
  for (const auto& note : manifest->notes) std::printf("  note: %s\n", note.c_str());
  return 0;
}

// Opens a recording for review; prints why not, and what is damaged, on stderr.
std::unique_ptr<surgilink::review::RecordedCase> open_case(const std::filesystem::path& folder) {
  std::string why;
  auto recorded = surgilink::review::RecordedCase::open(folder, &why);
  if (!recorded) {
    std::fprintf(stderr, "%s: cannot be reviewed: %s\n", folder.c_str(), why.c_str());
    return nullptr;
  }
  for (const auto& p : recorded->problems()) std::fprintf(stderr, "%s: %s\n", folder.c_str(), p.c_str());
  return recorded;
}

// The moment `seconds` after the recording's first picture.
surgilink::core::CaptureTime moment_of(const surgilink::review::RecordedCase& recorded, double seconds) {
  return recorded.first_picture() +
         std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

int show(const std::filesystem::path& folder, double seconds, const std::filesystem::path& png) {
  const auto recorded = open_case(folder);
  if (!recorded) return 1;
  const auto t = moment_of(*recorded, seconds);
  const auto moment = recorded->at(t);
  auto j = surgilink::review::moment_json(moment, recorded->first_picture(), recorded->waveforms_recorded());
  j["speaking"] = recorded->speaking_at(t);
  j["problems"] = recorded->problems();
  int exit_code = 0;
  if (!png.empty()) {
    std::string why;
    if (auto picture = recorded->picture_at(t, &why)) {
      surgilink::review::draw_as_or_display(moment, picture->bgr);
      if (cv::imwrite(png.string(), picture->bgr)) {
        j["picture"] = {{"file", png.string()},
                        {"capture_ns", picture->capture.time_since_epoch().count()},
                        {"width", picture->bgr.cols},
                        {"height", picture->bgr.rows}};
      } else {
        why = "cannot write " + png.string();
      }
    }
    if (!j.contains("picture")) {
      j["picture"] = nullptr;
      j["picture_problem"] = why;
      std::fprintf(stderr, "%s: no picture at %.3f s: %s\n", folder.c_str(), seconds, why.c_str());
      exit_code = 1;
    }
  }
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return exit_code;
}

int add_bookmark(const std::filesystem::path& folder, double seconds, const std::string& by,
                 const std::string& comment) {
  const auto recorded = open_case(folder);
  if (!recorded) return 1;
  std::string why;
  auto bookmarks = surgilink::review::Bookmarks::read(folder, &why);
  if (!bookmarks) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  }
  bookmarks->push_back({moment_of(*recorded, seconds), by, comment});
  if (const auto failed = surgilink::review::Bookmarks::write(folder, *bookmarks)) {
    std::fprintf(stderr, "%s\n", failed->c_str());
    return 1;
  }
  std::printf("%s: bookmark at %.3f s (%zu bookmarks in %s)\n", folder.c_str(), seconds, bookmarks->size(),
              std::string(surgilink::review::Bookmarks::kFileName).c_str());
  return 0;
}

int list_bookmarks(const std::filesystem::path& folder) {
  const auto recorded = open_case(folder);
  if (!recorded) return 1;
  std::string why;
  const auto bookmarks = surgilink::review::Bookmarks::read(folder, &why);
  if (!bookmarks) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& b : *bookmarks) {
    list.push_back({{"capture_ns", b.at.time_since_epoch().count()},
                    {"offset_s", std::chrono::duration<double>(b.at - recorded->first_picture()).count()},
                    {"by", b.by},
                    {"comment", b.comment}});
  }
  std::printf("%s\n", list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

int export_clip(const std::filesystem::path& folder, double from_s, double to_s,
                const std::filesystem::path& out, const std::string& blur) {
  std::optional<cv::Rect> area;
  if (!blur.empty()) {
    int x = 0, y = 0, w = 0, h = 0;
    char end = 0;
    if (std::sscanf(blur.c_str(), "%d,%d,%d,%d%c", &x, &y, &w, &h, &end) != 4 || w <= 0 || h <= 0) {
      std::fprintf(stderr, "--blur %s: expected X,Y,WIDTH,HEIGHT in pixels of the picture\n", blur.c_str());
      return 2;
    }
    area = cv::Rect(x, y, w, h);
  }
  const auto recorded = open_case(folder);
  if (!recorded) return 1;
  std::string why;
  const auto began = std::chrono::steady_clock::now();
  const auto clip = surgilink::review::export_clip(
      *recorded, {moment_of(*recorded, from_s), moment_of(*recorded, to_s), out, area}, &why);
  if (!clip) {
    std::fprintf(stderr, "%s: no clip: %s\n", folder.c_str(), why.c_str());
    return 1;
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("%s\n", nlohmann::json({{"file", out.string()},
                                      {"frames", clip->frames},
                                      {"duration_s", std::chrono::duration<double>(clip->duration).count()},
                                      {"blur", area ? nlohmann::json(blur) : nlohmann::json(nullptr)},
                                      {"comment", clip->comment},
                                      {"sound_s", std::chrono::duration<double>(clip->sound).count()},
                                      {"talkers", clip->talkers},
                                      {"voice_problems", clip->voice_problems},
                                      {"seconds_taken", took}})
                          .dump()
                          .c_str());
  return 0;
}

int report(const std::filesystem::path& folder, const std::filesystem::path& out) {
  const auto recorded = open_case(folder);
  if (!recorded) return 1;
  // Seals checked too (every file read whole), so that the report says whether the evidence is intact.
  std::vector<std::string> problems = surgilink::media::verify_recording(folder);
  for (const auto& p : recorded->problems()) {
    if (std::find(problems.begin(), problems.end(), p) == problems.end()) problems.push_back(p);
  }
  std::string why;
  const auto bookmarks = surgilink::review::Bookmarks::read(folder, &why);
  if (!bookmarks) problems.push_back(why + ": the bookmarks are left out");
  std::ofstream file(out, std::ios::trunc);
  file << surgilink::review::case_report_html(*recorded, problems,
                                              bookmarks.value_or(std::vector<surgilink::review::Bookmark>{}));
  file.close();
  if (!file) {
    std::fprintf(stderr, "%s: cannot write the report\n", out.c_str());
    return 1;
  }
  std::printf("%s: case report written to %s (%zu problems)\n", folder.c_str(), out.c_str(), problems.size());
  return 0;
}

// A required time in a recording, in seconds from its first picture.
void add_seconds_option(CLI::App* command, const char* name, double& seconds) {
  command->add_option(name, seconds, "seconds from the recording's first picture")
      ->required()
      ->check(CLI::NonNegativeNumber);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"surgilink-review: a trainer's tools for a recorded case (README: Recordings)."};
  app.require_subcommand(1);
  std::filesystem::path folder;
  auto* verify_command = app.add_subcommand(
      "verify",
      "check a recording against its manifest (recording.json): every file present, closed and matching its "
      "SHA-256, the recording finished. Exit 0 intact, 1 with what is wrong");
  verify_command->add_option("PATH", folder, "the recording's folder")->required();
  double at_seconds = 0;
  std::filesystem::path png;
  auto* show_command = app.add_subcommand(
      "show",
      "print the case at one moment as one JSON object: capture_ns, annotations (id, author, kind, colour) "
      "as "
      "the OR had them, vitals (the console status line's keys and units), mentor_g2g_p95_ms, link, speaking "
      "(whose recorded voice is heard then); with "
      "--png, the picture of that moment with the annotations as the OR display drew them. Exit 0, 1 when "
      "the recording cannot be read (or the picture was asked for and cannot be decoded), 2 on a usage "
      "error");
  show_command->add_option("PATH", folder, "the recording's folder")->required();
  add_seconds_option(show_command, "--at", at_seconds);
  show_command->add_option("--png", png, "write the picture at that moment (PNG)");
  std::string by, comment;
  auto* bookmark_command = app.add_subcommand(
      "bookmark",
      "add a bookmark with a comment at a moment; kept in bookmarks.json beside the recording's files (the "
      "recording itself is never modified)");
  bookmark_command->add_option("PATH", folder, "the recording's folder")->required();
  add_seconds_option(bookmark_command, "--at", at_seconds);
  bookmark_command->add_option("--comment", comment, "what the trainer noted")->required();
  bookmark_command->add_option("--by", by, "who notes it");
  auto* bookmarks_command = app.add_subcommand(
      "bookmarks", "print the recording's bookmarks as JSON (capture_ns, offset_s, by, comment)");
  bookmarks_command->add_option("PATH", folder, "the recording's folder")->required();
  std::filesystem::path out;
  double from_s = 0, to_s = 0;
  std::string blur;
  auto* export_command = app.add_subcommand(
      "export",
      "write a clip between two times as MP4 (H.264 and AAC; plays in browsers) with the annotations the OR "
      "had burnt in and the recorded voice (the OR and the mentors, mixed, at their capture times), "
      "optionally a rectangle blurred in every frame (de-identification, named in the clip's metadata). "
      "Exit 0, 1 when no clip could be written, 2 on a usage error");
  export_command->add_option("PATH", folder, "the recording's folder")->required();
  add_seconds_option(export_command, "--from", from_s);
  add_seconds_option(export_command, "--to", to_s);
  export_command->add_option("--out", out, "the MP4 file to write")->required();
  export_command->add_option("--blur", blur, "X,Y,WIDTH,HEIGHT: a rectangle (pixels) blurred in every frame");
  auto* report_command = app.add_subcommand(
      "report",
      "write the case report: one self-contained HTML page (duration, who joined when, latency p50/p95 over "
      "time, link losses, alarms, annotation counts per author, the session's events; plots as inline SVG). "
      "Exit 0, 1 when the recording cannot be read or the report cannot be written");
  report_command->add_option("PATH", folder, "the recording's folder")->required();
  report_command->add_option("--out", out, "the HTML file to write")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*show_command) return show(folder, at_seconds, png);
  if (*bookmark_command) return add_bookmark(folder, at_seconds, by, comment);
  if (*bookmarks_command) return list_bookmarks(folder);
  if (*report_command) return report(folder, out);
  if (*export_command) return export_clip(folder, from_s, to_s, out, blur);
  return verify(folder);
}
