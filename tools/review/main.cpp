// surgilink-review: a trainer's tools for a recorded case, headless (issue 16). Today: `verify PATH`, which
// checks a recording against its manifest (README: Recordings).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "surgilink/media/recording_manifest.hpp"

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
         std::to_string(m.files.size()) + " other files";
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return verify(folder);
}
