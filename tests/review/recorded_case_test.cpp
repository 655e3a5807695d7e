// Reviewing a recorded case (issue 16): a real sender records the synthetic scene with the simulated vitals
// (tachycardia: the heart rate climbs) while a scripted mentor console draws, then the mentor's link is cut;
// the review rebuilds what the OR had at chosen times — annotations, vitals, the mentor's latency, the link —
// and the picture of that moment, and says clearly what a damaged recording is missing.
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/annotation_colours.hpp"
#include "support/recorded_case.hpp"
#include "support/recorded_segment.hpp"
#include "support/running_sender.hpp"
#include "support/test_installation.hpp"
#include "surgilink/annotation/placed_frame.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/recorded_segment.hpp"
#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/review/case_moment_view.hpp"
#include "surgilink/review/recorded_case.hpp"
#include "surgilink/vitals/vitals_json.hpp"
#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::testing {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// One row of the recording's event log, read with SQLite directly (not through the library under test).
struct Row {
  std::int64_t capture_ns = 0;
  std::string kind;
  std::string detail;
  std::vector<std::uint8_t> payload;
};

std::vector<Row> rows_of(const std::filesystem::path& folder) {
  std::vector<Row> out;
  sqlite3* db = nullptr;
  const auto uri = "file:" + (folder / "events.sqlite").string() + "?immutable=1";
  if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open the event log of " << folder;
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT capture_ns, kind, detail, payload FROM events ORDER BY id", -1, &s, nullptr);
  while (s != nullptr && sqlite3_step(s) == SQLITE_ROW) {
    Row r;
    r.capture_ns = sqlite3_column_int64(s, 0);
    r.kind = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    r.detail = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
    const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 3));
    r.payload.assign(blob, blob + (blob ? sqlite3_column_bytes(s, 3) : 0));
    out.push_back(std::move(r));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// The recording every test reviews, made once.
struct Recording {
  std::filesystem::path dir;     // the test's scratch folder
  std::filesystem::path folder;  // the recording
  std::filesystem::path beside;  // the sender's report and the mentor console's status lines
  media::RecordingManifest manifest;
  std::vector<Row> rows;
  std::int64_t first_ns = 0;          // capture time of the first picture
  std::int64_t mentor_joined_ns = 0;  // the scripted mentor's join
  std::int64_t link_cut_ns = 0;       // the mentor's console killed (after this, its link is lost)
};
Recording* recording = nullptr;

class ReviewedCase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = std::make_unique<Recording>();
    r->dir = scratch_dir("review");
    const auto recordings = shared_recorded_case();
    if (recordings.empty()) return;

    std::vector<std::filesystem::path> folders;
    for (const auto& e : std::filesystem::directory_iterator(recordings)) folders.push_back(e.path());
    ASSERT_EQ(folders.size(), 1u);
    r->folder = folders.front();
    r->beside = recordings.parent_path();
    std::string why;
    auto manifest = media::RecordingManifest::read(r->folder, &why);
    ASSERT_TRUE(manifest) << why;
    r->manifest = *manifest;
    ASSERT_GE(r->manifest.segments.size(), 3u) << "segments of 4 s over about 20 s";
    r->first_ns = r->manifest.segments.front().first.time_since_epoch().count();
    r->rows = rows_of(r->folder);
    for (const auto& row : r->rows) {
      if (row.kind != "session") continue;
      const auto j = json::parse(row.detail, nullptr, false);
      if (j.value("event", "") == "join" && r->mentor_joined_ns == 0) r->mentor_joined_ns = row.capture_ns;
      if (j.value("event", "") == "leave") r->link_cut_ns = row.capture_ns;
    }
    ASSERT_NE(r->mentor_joined_ns, 0) << "no join in the event log";
    const bool consent_logged = std::any_of(r->rows.begin(), r->rows.end(), [](const Row& row) {
      return row.kind == "session" && row.detail.find("\"recording_started\"") != std::string::npos &&
             row.detail.find("command line (--consent)") != std::string::npos;
    });
    ASSERT_TRUE(consent_logged)
        << "the recording started by the consent given on the command line is not in the event log";
    ASSERT_NE(r->link_cut_ns, 0) << "no leave in the event log";
    recording = r.release();
  }
  static void TearDownTestSuite() {
    delete recording;
    recording = nullptr;
  }
  void SetUp() override {
    if (recording == nullptr) GTEST_SKIP() << "the recording could not be made (see the set-up's failures)";
  }

  // `surgilink-review show` at a capture time; the JSON it printed (discarded when it printed none).
  static json show(std::int64_t capture_ns, const std::string& name, ProgramResult* result = nullptr,
                   const std::filesystem::path& folder = {}, const std::filesystem::path& png = {}) {
    char at[64];
    std::snprintf(at, sizeof at, "%.9f", static_cast<double>(capture_ns - recording->first_ns) / 1e9);
    std::vector<std::string> argv{review_program().string(), "show",
                                  (folder.empty() ? recording->folder : folder).string(), "--at", at};
    if (!png.empty()) argv.insert(argv.end(), {"--png", png.string()});
    const auto r = run_program(argv, recording->dir, name, milliseconds{60000});
    if (result) *result = r;
    return json::parse(r.out, nullptr, false);
  }

  static std::vector<std::string> ids_in(const json& shown) {
    std::vector<std::string> ids;
    for (const auto& a : shown["annotations"]) ids.push_back(a["id"].get<std::string>());
    return ids;
  }
};

// The mentor's operations as the sender sequenced them, decoded from the log's bytes.
std::vector<std::pair<std::int64_t, annotation::SequencedOperation>> operations() {
  std::vector<std::pair<std::int64_t, annotation::SequencedOperation>> out;
  for (const auto& row : recording->rows) {
    if (row.kind != "annotation") continue;
    const auto op = annotation::decode_operation(row.payload);
    EXPECT_TRUE(op) << "an annotation row that does not decode";
    if (op) out.emplace_back(op.value().applied_at.time_since_epoch().count(), op.value());
  }
  return out;
}

TEST_F(ReviewedCase, TheSceneAtATimeHoldsWhatWasBegunAndNotYetDeleted) {
  const auto ops = operations();
  const auto first_begin = std::find_if(ops.begin(), ops.end(), [](const auto& o) {
    return std::holds_alternative<annotation::Begin>(o.second.op) &&
           std::get<annotation::Begin>(o.second.op).draft.kind != annotation::AnnotationKind::kPointer;
  });
  ASSERT_NE(first_begin, ops.end()) << "the scripted mentor drew nothing";
  const auto& draft = std::get<annotation::Begin>(first_begin->second.op).draft;

  const json before = show(first_begin->first - 1'000'000, "show-before-first");
  ASSERT_FALSE(before.is_discarded());
  EXPECT_THAT(ids_in(before), ::testing::Not(::testing::Contains(draft.id))) << before.dump();
  const json after = show(first_begin->first + 1'000'000, "show-after-first");
  ASSERT_FALSE(after.is_discarded());
  const auto found = std::find_if(after["annotations"].begin(), after["annotations"].end(),
                                  [&](const json& a) { return a["id"] == draft.id; });
  ASSERT_NE(found, after["annotations"].end()) << after.dump();
  EXPECT_EQ((*found)["author"], first_begin->second.author);
  EXPECT_EQ((*found)["kind"], annotation::describe(draft.kind));
  char colour[16];
  std::snprintf(colour, sizeof colour, "#%08x", draft.colour_rgba);
  EXPECT_EQ((*found)["colour"], colour);

  // An annotation the mentor deleted is there just before its delete and gone just after.
  const auto deleted = std::find_if(ops.begin(), ops.end(), [](const auto& o) {
    return std::holds_alternative<annotation::Delete>(o.second.op);
  });
  ASSERT_NE(deleted, ops.end()) << "the scripted mentor (keeping 3) deleted nothing";
  const std::string gone = std::get<annotation::Delete>(deleted->second.op).id;
  EXPECT_THAT(ids_in(show(deleted->first - 1'000'000, "show-before-delete")), ::testing::Contains(gone));
  EXPECT_THAT(ids_in(show(deleted->first + 1'000'000, "show-after-delete")),
              ::testing::Not(::testing::Contains(gone)));
}

TEST_F(ReviewedCase, VitalsAreTheNewestSampleCapturedByThatTime) {
  // The heart rate the sender streamed, each sample with its capture time, decoded here from the log's bytes.
  std::vector<std::pair<std::int64_t, double>> hr;
  for (const auto& row : recording->rows) {
    if (row.kind != "vitals") continue;
    const auto packet = vitals::decode_vitals_packet(row.payload);
    ASSERT_TRUE(packet);
    for (const auto& n : packet.value().numerics) {
      if (n.parameter == vitals::Parameter::kHr && n.value)
        hr.emplace_back(n.captured.time_since_epoch().count(), *n.value);
    }
  }
  ASSERT_GE(hr.size(), 10u);
  std::sort(hr.begin(), hr.end());
  const auto expected_at = [&](std::int64_t t) {
    double value = -1;
    for (const auto& [when, v] : hr)
      if (when <= t) value = v;
    return std::round(value * 100) / 100;
  };
  const std::int64_t last_ns = recording->manifest.segments.back().last.time_since_epoch().count();
  std::vector<double> shown;
  for (const double share : {0.2, 0.5, 0.95}) {
    const auto t = recording->first_ns +
                   static_cast<std::int64_t>(share * static_cast<double>(last_ns - recording->first_ns));
    const json j = show(t, "show-vitals");
    ASSERT_TRUE(j.contains("vitals") && j["vitals"].contains("hr")) << j.dump();
    EXPECT_DOUBLE_EQ(j["vitals"]["hr"].get<double>(), expected_at(t)) << "at " << share;
    EXPECT_TRUE(j["vitals"].contains("spo2") && j["vitals"].contains("abp_sys")) << j["vitals"].dump();
    shown.push_back(j["vitals"]["hr"].get<double>());
  }
  // Tachycardia: the rate climbs over the recording, so a review that ignored the time would fail here.
  EXPECT_LT(shown.front(), shown.back());
}

TEST_F(ReviewedCase, TheMentorsLatencyAndLinkFollowTheSession) {
  const json alone = show(recording->mentor_joined_ns - 200'000'000, "show-alone");
  EXPECT_EQ(alone["link"], "no mentor") << alone.dump();
  EXPECT_TRUE(alone["mentor_g2g_p95_ms"].empty());
  // Just before the link was cut the mentor had reported its glass-to-glass latency.
  double reported = -1;
  for (const auto& row : recording->rows) {
    if (row.kind == "latency" && row.capture_ns < recording->link_cut_ns - 100'000'000)
      reported = json::parse(row.detail).value("g2g_p95_ms", -1.0);
  }
  ASSERT_GT(reported, 0) << "the mentor reported no latency before its link was cut";
  const json connected = show(recording->link_cut_ns - 100'000'000, "show-connected");
  EXPECT_EQ(connected["link"], "connected") << connected.dump();
  ASSERT_TRUE(connected["mentor_g2g_p95_ms"].contains("Dr. Dev Mentor")) << connected.dump();
  EXPECT_DOUBLE_EQ(connected["mentor_g2g_p95_ms"]["Dr. Dev Mentor"].get<double>(), reported);
  const json lost = show(recording->link_cut_ns + 100'000'000, "show-lost");
  EXPECT_EQ(lost["link"], "lost") << lost.dump();
  EXPECT_TRUE(lost["mentor_g2g_p95_ms"].empty()) << lost.dump();
  EXPECT_TRUE(lost["problems"].empty()) << lost.dump();
}

// The picture is the frame on the screen at that time (the last one captured by then, decoded from its
// segment, its pixel timestamp code saying so), with the annotations the OR display drew.
TEST_F(ReviewedCase, ThePictureIsTheFrameOfThatMomentWithTheAnnotationsDrawn) {
  const auto& segments = recording->manifest.segments;
  const auto& later = segments[segments.size() - 2];  // a later segment: the seek goes across segments
  // A time in it while the mentor's annotations were up.
  const std::int64_t t =
      std::min(later.last.time_since_epoch().count(), recording->link_cut_ns) - 300'000'000;
  ASSERT_GT(t, later.first.time_since_epoch().count()) << "pick another segment";
  const auto png = recording->dir / "moment.png";
  ProgramResult result;
  const json j = show(t, "show-picture", &result, {}, png);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  ASSERT_TRUE(j["picture"].is_object()) << j.dump();
  ASSERT_GE(j["annotations"].size(), 1u) << j.dump();
  // Which frame: the last captured at or before t, among the segment's frames as GStreamer decodes them.
  std::int64_t expected = -1;
  for (const auto pts : decode_segment(recording->folder / later.file).pts_ns) {
    const std::int64_t capture = later.first.time_since_epoch().count() + pts;
    if (capture <= t) expected = std::max(expected, capture);
  }
  EXPECT_EQ(j["picture"]["capture_ns"].get<std::int64_t>(), expected);
  const cv::Mat picture = cv::imread(png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(picture.empty());
  EXPECT_EQ(picture.cols, 1280);
  EXPECT_GT(cv::countNonZero(annotation_colour_mask(picture)), 500) << "no annotation colours in " << png;

  // Before the mentor joined: the bare picture, whose pixel code is its capture time.
  const auto bare_png = recording->dir / "bare.png";
  const json bare = show(recording->mentor_joined_ns - 300'000'000, "show-bare", &result, {}, bare_png);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const cv::Mat bare_picture = cv::imread(bare_png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(bare_picture.empty());
  EXPECT_LT(cv::countNonZero(annotation_colour_mask(bare_picture)), 200);
  cv::Mat grey;
  cv::cvtColor(bare_picture, grey, cv::COLOR_BGR2GRAY);
  const auto code_us =
      media::read_pixel_timestamp(grey.data, static_cast<int>(grey.step), grey.cols, grey.rows);
  ASSERT_TRUE(code_us) << "no pixel code in " << bare_png;
  // The segment puts its frames on the 30 fps grid from its first frame's exact capture time, each at the
  // tick at or before its capture time: the picture's time is within a frame interval of its code.
  EXPECT_NEAR(static_cast<double>(*code_us),
              static_cast<double>(bare["picture"]["capture_ns"].get<std::int64_t>()) / 1000, 1e6 / 30);
}

// RecordedCase::at() replays the scene from the checkpoint before t; the same scene as replaying the whole
// log from the start, at operations' times, just before them and between them.
TEST_F(ReviewedCase, TheSceneFromACheckpointIsTheWholeLogReplayedFromTheStart) {
  std::string why;
  const auto recorded = review::RecordedCase::open(recording->folder, &why);
  ASSERT_TRUE(recorded) << why;
  const auto& records = recorded->annotations();
  ASSERT_GT(records.size(), 2 * review::RecordedCase::kOperationsPerCheckpoint)
      << "the case should hold operations for several checkpoints";
  std::size_t with_annotations = 0;
  for (std::size_t i = 0; i < records.size(); i += 5) {
    const auto applied = records[i].op.applied_at;
    for (const auto t : {applied - std::chrono::nanoseconds{1}, applied, applied + milliseconds{20}}) {
      review::SceneCursor from_start(*recorded);
      const auto replayed = from_start.at(t);
      const auto moment = recorded->at(t);
      ASSERT_TRUE(*moment.scene == *replayed)
          << "operation " << i << " (sequence " << records[i].op.sequence << "): version "
          << moment.scene->version << " against " << replayed->version;
      EXPECT_EQ(moment.annotations_hidden, from_start.hidden());
      with_annotations += replayed->annotations.empty() ? 0 : 1;
    }
  }
  EXPECT_GT(with_annotations, 10u);
}

// The pixel timestamp code of a decoded picture (its capture time in µs), read from its luma.
std::optional<std::int64_t> pixel_code_of(const cv::Mat& bgr) {
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  return media::read_pixel_timestamp(grey.data, static_cast<int>(grey.step), grey.cols, grey.rows);
}

// Sync (issue 16): an annotation the OR display first showed on frame F is shown in review on frame F ± 1,
// the frames told apart by their pixel codes. F is the sender's own record: the capture time of the first
// picture it composited each scene version onto (its report's annotation_composited_capture). In review a
// picture is shown with the scene at its capture time (RecordedCase::at), as the console's playback shows it.
TEST_F(ReviewedCase, AnAnnotationIsShownInReviewWithinAFrameOfWhereTheOrFirstShowedIt) {
  const json report = json::parse(read_text(recording->beside / "sender-report.json"), nullptr, false);
  ASSERT_TRUE(report.is_object() && report["annotation_composited_capture"].is_array())
      << "no annotation_composited_capture in the sender's report";
  std::vector<std::pair<std::uint64_t, std::int64_t>> or_first;  // scene version, F's capture time
  for (const auto& e : report["annotation_composited_capture"])
    or_first.emplace_back(e[0].get<std::uint64_t>(), e[1].get<std::int64_t>());
  ASSERT_FALSE(or_first.empty());
  std::string why;
  const auto recorded = review::RecordedCase::open(recording->folder, &why);
  ASSERT_TRUE(recorded) << why;
  const auto& segments = recorded->manifest().segments;
  int checked = 0;
  std::vector<int> offsets;
  for (const auto& [applied_ns, op] : operations()) {
    if (!std::holds_alternative<annotation::Begin>(op.op)) continue;
    const std::string id = std::get<annotation::Begin>(op.op).draft.id;
    const auto f = std::find_if(or_first.begin(), or_first.end(),
                                [&op](const auto& v) { return v.first >= op.sequence; });
    if (f == or_first.end()) continue;
    const std::int64_t f_us = f->second / 1000;  // F's pixel code
    // The recorded pictures from 10 frames before F to 10 after, in order: pixel code, and whether review
    // shows the annotation on it.
    const core::CaptureTime from{std::chrono::nanoseconds{f->second} - milliseconds{333}};
    const core::CaptureTime to{std::chrono::nanoseconds{f->second} + milliseconds{333}};
    std::vector<std::pair<std::int64_t, bool>> pictures;
    for (const auto& segment : segments) {
      if (segment.last < from || segment.first > to) continue;
      ASSERT_TRUE(media::for_each_recorded_picture(
          recording->folder / segment.file, segment.first, from, to,
          [&](media::RecordedPicture& p) {
            const auto code = pixel_code_of(p.bgr);
            EXPECT_TRUE(code) << "a recorded picture without a readable pixel code";
            const auto scene = recorded->at(p.capture).scene;
            pictures.emplace_back(code.value_or(-1), scene->find(id) != nullptr);
            return true;
          },
          &why))
          << why;
    }
    const auto at_f =
        std::find_if(pictures.begin(), pictures.end(), [f_us](const auto& p) { return p.first == f_us; });
    ASSERT_NE(at_f, pictures.end()) << id << ": the frame the OR first showed it on (code " << f_us
                                    << ") is not in the recording";
    const auto shown = std::find_if(pictures.begin(), pictures.end(), [](const auto& p) { return p.second; });
    ASSERT_NE(shown, pictures.end()) << id << " is never shown in review within 10 frames of F";
    ASSERT_NE(shown, pictures.begin()) << id << " is shown in review 10 frames before F already";
    const int offset = static_cast<int>(shown - at_f);
    offsets.push_back(offset);
    EXPECT_LE(std::abs(offset), 1) << id << ": first shown in review on frame F" << std::showpos << offset
                                   << " (F's code " << f_us << ", review's " << shown->first << ")";
    ++checked;
  }
  EXPECT_GE(checked, 3) << "the scripted mentor should begin several annotations";
  std::printf("sync: %d annotations, first shown in review on frame F%s\n", checked,
              [&] {
                std::string text;
                for (const int o : offsets)
                  text += (text.empty() ? " " : ", ") + std::string(o >= 0 ? "+" : "") + std::to_string(o);
                return text;
              }()
                  .c_str());
}

// Sync (issue 16): the vitals of any moment are what the mentor saw then. Each of the mentor console's status
// lines shows the vitals it had and when the newest was captured (vitals_captured_ns); the review at that
// capture time gives the same values, through the library for every line and through surgilink-review show
// for three of them.
TEST_F(ReviewedCase, VitalsAtAMomentAreWhatTheMentorsConsoleShowedForIt) {
  std::vector<json> lines;
  std::istringstream text(read_text(recording->beside / "mentor-status.jsonl"));
  for (std::string line; std::getline(text, line);) {
    const auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j["vitals"].is_object() && !j["vitals"].empty() &&
        j["vitals_captured_ns"].is_number())
      lines.push_back(j);
  }
  ASSERT_GE(lines.size(), 10u) << "the mentor's console should show vitals for most of its 14 s";
  std::string why;
  const auto recorded = review::RecordedCase::open(recording->folder, &why);
  ASSERT_TRUE(recorded) << why;
  std::set<std::string> values;
  for (const auto& line : lines) {
    const core::CaptureTime at{std::chrono::nanoseconds{line["vitals_captured_ns"].get<std::int64_t>()}};
    EXPECT_EQ(vitals::numerics_json(recorded->at(at).vitals), line["vitals"]) << line.dump();
    values.insert(line["vitals"].dump());
  }
  EXPECT_GT(values.size(), 3u) << "the vitals should change over the case (tachycardia)";
  // surgilink-review show --at, 1 µs after the moment (its --at is in seconds, as text).
  for (const std::size_t i : {std::size_t{0}, lines.size() / 2, lines.size() - 1}) {
    const json shown =
        show(lines[i]["vitals_captured_ns"].get<std::int64_t>() + 1000, "show-vitals-" + std::to_string(i));
    EXPECT_EQ(shown["vitals"], lines[i]["vitals"]) << lines[i].dump();
  }
}

// The waveforms the sender streamed (the simulator's ECG, pleth, arterial pressure and capnogram), decoded
// here from the log's bytes: per waveform, each sample by its capture time.
std::map<vitals::Waveform, std::map<std::int64_t, float>> streamed_waveforms() {
  std::map<vitals::Waveform, std::map<std::int64_t, float>> out;
  for (const auto& row : recording->rows) {
    if (row.kind != "vitals") continue;
    const auto packet = vitals::decode_vitals_packet(row.payload);
    EXPECT_TRUE(packet);
    if (!packet) continue;
    for (const auto& c : packet.value().waveforms) {
      for (std::size_t i = 0; i < c.samples.size(); ++i)
        out[c.waveform][c.time_of(i).time_since_epoch().count()] = c.samples[i];
    }
  }
  return out;
}

TEST_F(ReviewedCase, WaveformSamplesReadBackAreWhatTheSenderStreamed) {
  const auto streamed = streamed_waveforms();
  ASSERT_EQ(streamed.size(), 4u) << "the simulator streams four waveforms";
  std::string why;
  const auto recorded = review::RecordedCase::open(recording->folder, &why);
  ASSERT_TRUE(recorded) << why;
  EXPECT_TRUE(recorded->waveforms_recorded());
  const std::int64_t last_ns = recording->manifest.segments.back().last.time_since_epoch().count();
  for (const double share : {0.25, 0.6, 0.9}) {
    const std::int64_t t =
        recording->first_ns +
        static_cast<std::int64_t>(share * static_cast<double>(last_ns - recording->first_ns));
    const core::CaptureTime at{std::chrono::nanoseconds{t}};
    const auto window = recorded->waveforms_at(at, std::chrono::seconds{2});
    ASSERT_EQ(window.size(), 4u) << "at " << share;
    for (const auto& c : window) {
      // Every sample captured in (t - 2 s, t], in order, each at its time with its value.
      const auto& all = streamed.at(c.waveform);
      std::vector<std::pair<std::int64_t, float>> expected(all.upper_bound(t - 2'000'000'000),
                                                           all.upper_bound(t));
      ASSERT_EQ(c.samples.size(), expected.size()) << vitals::info(c.waveform).short_name << " at " << share;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(c.time_of(i).time_since_epoch().count(), expected[i].first);
        EXPECT_EQ(c.samples[i], expected[i].second);
      }
    }
    // The moment holds the vitals panel's 6 s; `show` the newest samples of each, compact.
    EXPECT_EQ(recorded->at(at).waveforms.front().samples.size(),
              recorded->waveforms_at(at, review::RecordedCase::kWaveformWindow).front().samples.size());
    const json shown = show(t, "show-waveforms");
    ASSERT_TRUE(shown["waveforms"].is_array()) << shown.dump();
    ASSERT_EQ(shown["waveforms"].size(), 4u) << shown["waveforms"].dump();
    EXPECT_FALSE(shown.contains("waveforms_note"));
    for (const auto& w : shown["waveforms"]) {
      const auto found = std::find_if(window.begin(), window.end(), [&](const vitals::WaveformChunk& c) {
        return vitals::info(c.waveform).short_name == w["waveform"].get<std::string>();
      });
      ASSERT_NE(found, window.end()) << w.dump();
      const auto& last = w["last"];
      ASSERT_EQ(last.size(), review::kWaveformJsonSamples);
      EXPECT_EQ(w["last_capture_ns"].get<std::int64_t>(),
                found->time_of(found->samples.size() - 1).time_since_epoch().count());
      for (std::size_t i = 0; i < last.size(); ++i) {
        const float sample = found->samples[found->samples.size() - last.size() + i];
        EXPECT_NEAR(last[i].get<double>(), sample, std::abs(sample) * 1e-3 + 1e-6) << w.dump();
      }
      EXPECT_GT(w["sample_period_ms"].get<double>(), 0);
      EXPECT_LE(w["min"].get<double>(), w["max"].get<double>());
    }
  }
}

// A recording whose source streamed no waveform (an HL7 monitor, a file replay, or one made before the review
// read them): the vitals are still there, and the review says that no waveform was recorded.
TEST_F(ReviewedCase, ARecordingWithoutWaveformsOpensAndSaysSo) {
  const auto copy = recording->dir / "no-waveforms";
  std::filesystem::remove_all(copy);
  std::filesystem::copy(recording->folder, copy);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((copy / "events.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* read = nullptr;
    sqlite3_prepare_v2(db, "SELECT id, payload FROM events WHERE kind = 'vitals'", -1, &read, nullptr);
    std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> rewritten;
    while (sqlite3_step(read) == SQLITE_ROW) {
      const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(read, 1));
      auto packet = vitals::decode_vitals_packet(
          std::span(blob, static_cast<std::size_t>(sqlite3_column_bytes(read, 1))));
      ASSERT_TRUE(packet);
      auto p = std::move(packet).value();
      p.waveforms.clear();
      std::vector<std::uint8_t> bytes;
      vitals::encode(p, bytes);
      rewritten.emplace_back(sqlite3_column_int64(read, 0), std::move(bytes));
    }
    sqlite3_finalize(read);
    sqlite3_stmt* write = nullptr;
    sqlite3_prepare_v2(db, "UPDATE events SET payload = ? WHERE id = ?", -1, &write, nullptr);
    for (const auto& [id, bytes] : rewritten) {
      sqlite3_bind_blob(write, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(write, 2, id);
      ASSERT_EQ(sqlite3_step(write), SQLITE_DONE);
      sqlite3_reset(write);
    }
    sqlite3_finalize(write);
    sqlite3_close(db);
  }
  std::string why;
  const auto recorded = review::RecordedCase::open(copy, &why);
  ASSERT_TRUE(recorded) << why;
  EXPECT_FALSE(recorded->waveforms_recorded());
  const std::int64_t t = recording->link_cut_ns - 1'000'000'000;
  EXPECT_TRUE(recorded->at(core::CaptureTime{std::chrono::nanoseconds{t}}).waveforms.empty());
  ProgramResult result;
  const json j = show(t, "show-no-waveforms", &result, copy);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(j["waveforms"].empty()) << j.dump();
  EXPECT_EQ(j["waveforms_note"], "no waveforms recorded");
  EXPECT_FALSE(j["vitals"].empty()) << "the numerics are still read";
}

// The synthetic scene pans, so the OR display anchored the mentor's annotations to the moving tissue: review
// shows each where the OR display had placed it at that time (its placement recorded in the event log, read
// here with SQLite), not where the mentor drew it.
TEST_F(ReviewedCase, AnnotationsAreWhereTheOrDisplayPlacedThemAtThatTime) {
  struct Placed {
    std::int64_t at = 0;
    annotation::PlacedFrame frame;
    annotation::Placement placement;
  };
  std::map<std::string, std::vector<Placed>> by_id;
  std::size_t records = 0;
  for (const auto& row : recording->rows) {
    if (row.kind != "placements") continue;
    const auto placed = annotation::decode_placed_frame(
        row.payload, core::CaptureTime{std::chrono::nanoseconds{row.capture_ns}});
    ASSERT_TRUE(placed) << placed.error().reason;
    ++records;
    for (const auto& [id, p] : placed.value().placements)
      by_id[id].push_back({row.capture_ns, placed.value(), p});
  }
  ASSERT_GT(records, 10u) << "the OR display recorded no placements";
  std::string why;
  const auto recorded = review::RecordedCase::open(recording->folder, &why);
  ASSERT_TRUE(recorded) << why;
  EXPECT_TRUE(recorded->placements_recorded());
  // The placement that had moved a stroke or arrow farthest from where it was drawn, and a time after it
  // (before the next), while the annotation was still on the OR screen.
  double farthest = 0;
  std::string id;
  std::int64_t t = 0;
  cv::Point2d drawn_px, shown_px;
  cv::Size frame;
  for (const auto& [which, placed] : by_id) {
    for (std::size_t i = 0; i < placed.size(); ++i) {
      const std::int64_t next = i + 1 < placed.size() ? placed[i + 1].at : placed[i].at + 40'000'000;
      const std::int64_t at = placed[i].at + (next - placed[i].at) / 2;
      const auto moment = recorded->at(core::CaptureTime{std::chrono::nanoseconds{at}});
      const auto* a = moment.scene->find(which);
      if (a == nullptr || a->points.empty() || moment.annotations_hidden) continue;
      // Only kinds whose first point lies on the line drawn: an ellipse's is a corner of its bounding box and
      // a label's the top-left of its text, so the picture has no colour there.
      if (a->kind != annotation::AnnotationKind::kStroke && a->kind != annotation::AnnotationKind::kArrow)
        continue;
      const auto drawn = annotation::to_pixels(a->points.front(), placed[i].frame.frame);
      const auto shown = annotation::map_point(placed[i].placement.homography, drawn);
      if (cv::norm(shown - drawn) <= farthest) continue;
      farthest = cv::norm(shown - drawn);
      id = which;
      t = at;
      drawn_px = drawn;
      shown_px = shown;
      frame = placed[i].frame.frame;
    }
  }
  ASSERT_GT(farthest, 3.0) << "the panning scene should move an annotation more than 3 px while it shows";
  std::printf("%s at %.3f s: drawn at (%.1f, %.1f), the OR display placed it %.1f px away at (%.1f, %.1f)\n",
              id.c_str(), static_cast<double>(t - recording->first_ns) / 1e9, drawn_px.x, drawn_px.y,
              farthest, shown_px.x, shown_px.y);

  // The library: the placement in force at t.
  const auto moment = recorded->at(core::CaptureTime{std::chrono::nanoseconds{t}});
  ASSERT_TRUE(moment.placements.count(id)) << "no placement for " << id;
  const auto in_review = annotation::map_point(moment.placements_for(frame).at(id).homography, drawn_px);
  EXPECT_LT(cv::norm(in_review - shown_px), 1.0);
  EXPECT_GT(cv::norm(in_review - drawn_px), 3.0);

  // surgilink-review show: the first point shown where the OR display showed it (within 1 px).
  const auto png = recording->dir / "placed.png";
  ProgramResult result;
  const json j = show(t, "show-placed", &result, {}, png);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto found = std::find_if(j["annotations"].begin(), j["annotations"].end(),
                                  [&](const json& a) { return a["id"] == id; });
  ASSERT_NE(found, j["annotations"].end()) << j.dump();
  const auto& placement = (*found)["placement"];
  ASSERT_TRUE(placement.is_object()) << found->dump();
  const cv::Point2d json_shown(placement["first_point_shown"][0].get<double>() * frame.width - 0.5,
                               placement["first_point_shown"][1].get<double>() * frame.height - 0.5);
  EXPECT_LT(cv::norm(json_shown - shown_px), 1.0) << placement.dump();
  EXPECT_GT(cv::norm(json_shown - drawn_px), 3.0) << placement.dump();
  EXPECT_LE(placement["capture_ns"].get<std::int64_t>(), t);
  // The picture: the annotation's colour drawn at the placed point.
  const cv::Mat picture = cv::imread(png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(picture.empty());
  const cv::Mat mask = annotation_colour_mask(picture);
  const double sx = static_cast<double>(picture.cols) / frame.width,
               sy = static_cast<double>(picture.rows) / frame.height;
  const cv::Rect around(static_cast<int>(shown_px.x * sx) - 3, static_cast<int>(shown_px.y * sy) - 3, 7, 7);
  EXPECT_GT(cv::countNonZero(mask(around & cv::Rect({0, 0}, mask.size()))), 0)
      << "no annotation colour at the placed point in " << png;
}

// A damaged copy of the recording: what is missing is named, and what is intact still plays.
TEST_F(ReviewedCase, ADamagedRecordingSaysWhatIsMissingAndTheRestStillPlays) {
  const auto copy = [&](const std::string& name) {
    const auto to = recording->dir / name;
    std::filesystem::remove_all(to);
    std::filesystem::copy(recording->folder, to);
    return to;
  };
  const auto& segments = recording->manifest.segments;
  const std::int64_t in_first = segments.front().first.time_since_epoch().count() + 500'000'000;
  const auto png = recording->dir / "damaged.png";
  ProgramResult result;

  // A segment cut short: named, and a picture from an intact segment still decodes.
  const auto truncated = copy("truncated");
  std::filesystem::resize_file(truncated / segments[1].file, segments[1].seal->bytes / 3);
  json j = show(in_first, "show-truncated", &result, truncated, png);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(j["problems"].dump(), HasSubstr(segments[1].file + " is "));
  EXPECT_THAT(j["problems"].dump(), HasSubstr("truncated or changed"));
  EXPECT_THAT(result.err, HasSubstr(segments[1].file));
  EXPECT_TRUE(j["picture"].is_object()) << j.dump();

  // The event log missing: said, no annotations or vitals, and the picture still there.
  const auto no_log = copy("no-log");
  std::filesystem::remove(no_log / "events.sqlite");
  j = show(recording->link_cut_ns - 1'000'000'000, "show-no-log", &result, no_log, png);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(j["problems"].dump(), HasSubstr("events.sqlite is missing"));
  EXPECT_TRUE(j["annotations"].empty());
  EXPECT_TRUE(j["vitals"].empty());
  EXPECT_TRUE(j["picture"].is_object());

  // The event log overwritten in its middle: not an event log any more, and said so.
  const auto corrupt = copy("corrupt-log");
  {
    std::fstream f(corrupt / "events.sqlite", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    const std::string garbage(4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  j = show(in_first, "show-corrupt-log", &result, corrupt, png);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(j["problems"].dump(), HasSubstr("events.sqlite cannot be read as an event log"));
  EXPECT_TRUE(j["picture"].is_object());

  // No manifest: the segments found in the folder are used, and that is said.
  const auto no_manifest = copy("no-manifest");
  std::filesystem::remove(no_manifest / "recording.json");
  j = show(in_first, "show-no-manifest", &result, no_manifest, png);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(j["problems"].dump(), HasSubstr("recording.json"));
  EXPECT_THAT(j["problems"].dump(), HasSubstr("segments found in the folder are used"));
  EXPECT_TRUE(j["picture"].is_object()) << j.dump();
  EXPECT_FALSE(j["vitals"].empty()) << "the event log is still read";

  // Nothing to review at all.
  const auto empty = recording->dir / "empty";
  std::filesystem::create_directories(empty);
  j = show(in_first, "show-empty", &result, empty);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot be reviewed"));
  EXPECT_THAT(result.err, HasSubstr("no readable segment-*.mkv"));
}

// The case report: one self-contained page that names what happened, and opens in headless Chromium.
TEST_F(ReviewedCase, TheCaseReportNamesWhatHappenedAndOpensInAHeadlessBrowser) {
  const auto html = recording->dir / "report.html";
  const auto r =
      run_program({review_program().string(), "report", recording->folder.string(), "--out", html.string()},
                  recording->dir, "report", milliseconds{60000});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("(0 problems)"));
  const std::string page = read_text(html);
  EXPECT_THAT(page, HasSubstr("Case report — CASE-TEST"));
  EXPECT_THAT(page, HasSubstr("Every file is present, closed and matches its SHA-256."));
  EXPECT_THAT(page, HasSubstr("<td>Dr. Dev Mentor</td><td>joined</td><td>mentor</td>"));
  EXPECT_THAT(page, HasSubstr("1 link loss:"));
  EXPECT_THAT(page, HasSubstr("<svg"));
  // Self-contained: nothing to fetch.
  EXPECT_THAT(page, ::testing::Not(HasSubstr("src=")));
  EXPECT_THAT(page, ::testing::Not(HasSubstr("href=")));
  // The mentor's annotations counted per kind, as the sender sequenced them.
  std::map<annotation::AnnotationKind, int> begun;
  for (const auto& [at, op] : operations()) {
    if (const auto* b = std::get_if<annotation::Begin>(&op.op)) ++begun[b->draft.kind];
  }
  ASSERT_FALSE(begun.empty());
  std::string row = "<tr><td>Dr. Dev Mentor (c1)</td>";
  int total = 0;
  for (const auto kind : {annotation::AnnotationKind::kStroke, annotation::AnnotationKind::kArrow,
                          annotation::AnnotationKind::kEllipse, annotation::AnnotationKind::kLabel}) {
    row += "<td>" + std::to_string(begun[kind]) + "</td>";
    total += begun[kind];
  }
  row += "<td><b>" + std::to_string(total) + "</b></td>";
  EXPECT_THAT(page, HasSubstr(row));

  // Headless Chromium draws it (tools/debian-packages.txt): a screenshot with the heart-rate line in it.
  const auto png = recording->dir / "report.png";
  const auto shot = run_program(
      {"/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
       "--window-size=1150,2400", "--screenshot=" + png.string(), "file://" + html.string()},
      recording->dir, "chromium", milliseconds{60000});
  ASSERT_EQ(shot.exit_code, 0) << "chromium (tools/debian-packages.txt) did not run: " << shot.err;
  const cv::Mat seen = cv::imread(png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(seen.empty()) << "no screenshot at " << png;
  cv::Mat hr_line;  // #c62828, the heart-rate series
  cv::inRange(seen, cv::Scalar(20, 20, 170), cv::Scalar(70, 70, 220), hr_line);
  EXPECT_GT(cv::countNonZero(hr_line), 200) << "the vitals plot is not drawn in " << png;
}

// A trainer's bookmarks: kept beside the recording in their own file, read back by the next run in time
// order, shown in the case report with a picture of the moment; the recording's seals still hold.
TEST_F(ReviewedCase, BookmarksAreKeptBesideTheRecordingAndShownInTheReport) {
  const auto folder = recording->dir / "bookmarked";
  std::filesystem::remove_all(folder);
  std::filesystem::copy(recording->folder, folder);
  const auto run = [&](std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), review_program().string());
    return run_program(args, recording->dir, name, milliseconds{60000});
  };
  auto r = run(
      {"bookmark", folder.string(), "--at", "9.5", "--comment", "clip <here> & there", "--by", "Trainer A"},
      "bookmark-1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run({"bookmark", folder.string(), "--at", "3", "--comment", "first look"}, "bookmark-2");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 bookmarks"));
  r = run({"bookmarks", folder.string()}, "bookmarks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json list = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 2) << r.out;
  EXPECT_EQ(list[0]["comment"], "first look");
  EXPECT_NEAR(list[0]["offset_s"].get<double>(), 3.0, 1e-6);
  EXPECT_EQ(list[1]["comment"], "clip <here> & there");
  EXPECT_EQ(list[1]["by"], "Trainer A");
  EXPECT_EQ(list[1]["capture_ns"].get<std::int64_t>(), recording->first_ns + 9'500'000'000);
  EXPECT_TRUE(media::verify_recording(folder).empty()) << "a bookmark changed the recording";

  const auto html = recording->dir / "bookmarked.html";
  r = run({"report", folder.string(), "--out", html.string()}, "report-bookmarked");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string page = read_text(html);
  EXPECT_THAT(page, HasSubstr("Trainer A: clip &lt;here&gt; &amp; there"));
  EXPECT_THAT(page, HasSubstr("first look"));
  std::size_t thumbnails = 0;
  for (auto at = page.find("src=\"data:image/jpeg;base64,"); at != std::string::npos;
       at = page.find("src=\"data:image/jpeg;base64,", at + 1))
    ++thumbnails;
  EXPECT_EQ(thumbnails, 2u);

  // A bookmarks file that is not one is named, and nothing is written over it.
  std::ofstream(folder / "bookmarks.json") << "{not json";
  r = run({"bookmark", folder.string(), "--at", "1", "--comment", "x"}, "bookmark-bad");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not a surgilink-bookmarks/1 file"));
  EXPECT_EQ(read_text(folder / "bookmarks.json"), "{not json");
}

// Fine detail in a region (the tissue's grain, specks, thin vessels): the mean difference, in grey levels,
// between its picture and the same smoothed over 5x5 pixels.
double fine_detail(const cv::Mat& bgr, cv::Rect area) {
  cv::Mat grey, smooth, difference;
  cv::cvtColor(bgr(area), grey, cv::COLOR_BGR2GRAY);
  grey.convertTo(grey, CV_32F);
  cv::GaussianBlur(grey, smooth, cv::Size(5, 5), 0);
  cv::absdiff(grey, smooth, difference);
  return cv::mean(difference)[0];
}

// A clip across a segment boundary, annotations burnt in and a rectangle blurred: an MP4 of every recorded
// frame of the span that ffmpeg reads with the right duration, naming the case and the blur.
TEST_F(ReviewedCase, AnExportedClipPlaysWithTheAnnotationsBurntInAndTheRectangleBlurred) {
  const auto& segments = recording->manifest.segments;
  const std::int64_t boundary = segments[1].first.time_since_epoch().count();
  const double from_s = static_cast<double>(boundary - recording->first_ns) / 1e9 - 1.5;
  const double to_s = from_s + 3.0;
  const auto clip = recording->dir / "clip.mp4";
  char from[32], to[32];
  std::snprintf(from, sizeof from, "%.3f", from_s);
  std::snprintf(to, sizeof to, "%.3f", to_s);
  const cv::Rect blurred(40, 400, 400, 240);
  const auto r = run_program({review_program().string(), "export", recording->folder.string(), "--from", from,
                              "--to", to, "--out", clip.string(), "--blur", "40,400,400,240"},
                             recording->dir, "export", milliseconds{110000});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json result = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(result.is_object()) << r.out;
  // Every frame recorded in the span, from both segments.
  const auto from_ns = recording->first_ns + static_cast<std::int64_t>(std::llround(from_s * 1e9));
  const auto to_ns = recording->first_ns + static_cast<std::int64_t>(std::llround(to_s * 1e9));
  std::size_t recorded = 0;
  for (const std::size_t i : {std::size_t{0}, std::size_t{1}}) {
    for (const auto pts : decode_segment(recording->folder / segments[i].file).pts_ns) {
      const auto capture = segments[i].first.time_since_epoch().count() + pts;
      recorded += capture >= from_ns && capture <= to_ns ? 1 : 0;
    }
  }
  EXPECT_NEAR(static_cast<double>(result["frames"].get<std::size_t>()), static_cast<double>(recorded), 1.0);
  EXPECT_THAT(result["comment"].get<std::string>(), HasSubstr("rectangle 40,400,400,240 blurred"));

  // ffprobe reads it: H.264, the clip's duration, the case pseudonym and the blur in its metadata.
  const auto probe = run_program(
      {"/usr/bin/ffprobe", "-v", "error", "-show_entries",
       "format=duration:format_tags=title,comment:stream=codec_name,pix_fmt", "-of", "json", clip.string()},
      recording->dir, "ffprobe", milliseconds{30000});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const json info = json::parse(probe.out, nullptr, false);
  ASSERT_TRUE(info.is_object()) << probe.out;
  EXPECT_EQ(info["streams"][0]["codec_name"], "h264");
  EXPECT_EQ(info["streams"][0]["pix_fmt"], "yuv420p");
  EXPECT_NEAR(std::stod(info["format"]["duration"].get<std::string>()), result["duration_s"].get<double>(),
              0.1);
  EXPECT_EQ(info["format"]["tags"]["title"], "CASE-TEST");
  EXPECT_THAT(info["format"]["tags"]["comment"].get<std::string>(), HasSubstr("blurred"));

  // A picture of the clip: the mentor's colours on it; the rectangle with less than half the fine detail of
  // the tissue beside it (the encoder smooths the grain too).
  const auto frame = recording->dir / "clip-frame.png";
  const auto grab = run_program({"/usr/bin/ffmpeg", "-v", "error", "-y", "-ss", "1.5", "-i", clip.string(),
                                 "-frames:v", "1", frame.string()},
                                recording->dir, "ffmpeg", milliseconds{30000});
  ASSERT_EQ(grab.exit_code, 0) << grab.err;
  const cv::Mat picture = cv::imread(frame.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(picture.empty());
  EXPECT_GT(cv::countNonZero(annotation_colour_mask(picture)), 500) << frame;
  const cv::Rect beside(blurred.x + blurred.width + 40, blurred.y, blurred.width, blurred.height);
  EXPECT_LT(fine_detail(picture, blurred) * 2, fine_detail(picture, beside))
      << frame << ": " << fine_detail(picture, blurred) << " vs " << fine_detail(picture, beside);
}

// Reviewing never changes the recording: every seal still holds and nothing new is beside it.
TEST_F(ReviewedCase, ReviewLeavesTheRecordingAsItWas) {
  show(recording->link_cut_ns - 1'000'000'000, "show-untouched", nullptr, {}, recording->dir / "u.png");
  EXPECT_TRUE(media::verify_recording(recording->folder).empty());
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(recording->folder))
    files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> expected{"events.sqlite", "recording.json"};
  for (const auto& s : recording->manifest.segments) expected.push_back(s.file);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(files, expected);
}

}  // namespace
}  // namespace surgilink::testing
