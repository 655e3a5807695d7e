#include "surgilink/review/recorded_case.hpp"

#include <cmath>

#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/recorded_voice.hpp"

#include <algorithm>
#include <regex>

#include <nlohmann/json.hpp>

#include "surgilink/annotation/scene_replica.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/session/case_event_log.hpp"

namespace surgilink::review {

namespace {

constexpr const char* kEventLogRole = "event_log";
constexpr const char* kEventLogFile = "events.sqlite";

std::string seconds_text(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(d).count());
  return text;
}

std::vector<Participant> participants_of(const nlohmann::json& list) {
  std::vector<Participant> out;
  if (!list.is_array()) return out;
  for (const auto& p : list) {
    if (!p.is_object()) continue;
    out.push_back({p.value("name", ""), p.value("role", ""), p.value("author", "")});
  }
  return out;
}

// The last element of a time-ordered vector at or before `t` (end() when none is).
template <typename Items, typename Time>
auto last_at_or_before(const Items& items, core::CaptureTime t, Time time_of) {
  auto after = std::upper_bound(items.begin(), items.end(), t, [&](core::CaptureTime when, const auto& item) {
    return when < time_of(item);
  });
  return after == items.begin() ? items.end() : std::prev(after);
}

}  // namespace

const char* describe(LinkState state) {
  switch (state) {
    case LinkState::kNoMentor:
      return "no mentor";
    case LinkState::kConnected:
      return "connected";
    case LinkState::kLost:
      return "lost";
  }
  return "?";
}

std::unique_ptr<RecordedCase> RecordedCase::open(const std::filesystem::path& folder, std::string* why) {
  std::unique_ptr<RecordedCase> c(new RecordedCase());
  c->folder_ = folder;
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    if (why) *why = folder.string() + " is not a folder";
    return nullptr;
  }
  std::string manifest_why;
  if (auto manifest = media::RecordingManifest::read(folder, &manifest_why)) {
    c->manifest_ = std::move(*manifest);
  } else {
    // Without its manifest a recording still plays: each segment says when its first frame was captured.
    std::vector<std::filesystem::path> found;
    static const std::regex kSegment("segment-[0-9]+\\.mkv");
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
      if (entry.is_regular_file(ec) && std::regex_match(entry.path().filename().string(), kSegment))
        found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    for (const auto& file : found) {
      const auto start = media::recorded_segment_start(file);
      if (!start) {
        c->problems_.push_back(file.filename().string() + " cannot be read (no capture time in it)");
        continue;
      }
      media::ManifestSegment s;
      s.file = file.filename().string();
      s.first = s.last = *start;  // its end is not known without the manifest
      c->manifest_.segments.push_back(s);
    }
    if (c->manifest_.segments.empty()) {
      if (why)
        *why = std::string(media::RecordingManifest::kFileName) + ": " + manifest_why +
               "; and no readable segment-*.mkv in " + folder.string();
      return nullptr;
    }
    c->manifest_.started = c->manifest_.segments.front().first;
    c->problems_.insert(c->problems_.begin(),
                        std::string(media::RecordingManifest::kFileName) + ": " + manifest_why + "; the " +
                            std::to_string(c->manifest_.segments.size()) +
                            " segments found in the folder are used instead (nothing can be checked against "
                            "their seals)");
  }
  if (c->manifest_.segments.empty()) {
    if (why) *why = "the recording holds no video segment";
    return nullptr;
  }
  c->check_files();
  c->read_event_log();
  c->index_for_time();
  return c;
}

void RecordedCase::check_files() {
  std::error_code ec;
  if (manifest_.state == media::RecordingState::kRecording && !manifest_.software.empty())
    problems_.push_back("the recording is still being written, or its sender stopped without closing it");
  for (const auto& s : manifest_.segments) {
    const auto path = folder_ / s.file;
    const std::string span =
        "(" + seconds_text(s.first - first_picture()) + " to " + seconds_text(s.last - first_picture()) + ")";
    if (!std::filesystem::is_regular_file(path, ec)) {
      problems_.push_back(s.file + " is missing: no picture " + span);
      continue;
    }
    const auto bytes = std::filesystem::file_size(path, ec);
    if (s.seal && !ec && bytes != s.seal->bytes) {
      problems_.push_back(s.file + " is " + std::to_string(bytes) + " bytes, its manifest says " +
                          std::to_string(s.seal->bytes) + " (truncated or changed): pictures " + span +
                          " may be missing");
    } else if (!s.closed && !manifest_.software.empty()) {
      problems_.push_back(s.file + " was never closed: its end may be missing");
    }
  }
}

void RecordedCase::read_event_log() {
  const auto* listed = manifest_.file(kEventLogRole);
  const auto file = folder_ / (listed ? listed->file : std::string(kEventLogFile));
  std::string why;
  const bool closed = listed && listed->seal && manifest_.state != media::RecordingState::kRecording;
  const auto log = session::read_case_events(file, closed, &why);
  if (!log) {
    problems_.push_back(why + ": no annotations, vitals, roster or latency in this review");
    return;
  }
  std::error_code ec;
  if (listed && listed->seal && std::filesystem::file_size(file, ec) != listed->seal->bytes)
    problems_.push_back(file.filename().string() + " does not have the size its manifest says (changed)");
  std::size_t unreadable = 0;
  std::size_t placement_refusals = 0;
  std::string first_refusal;
  std::optional<annotation::Scene> snapshot;
  for (const auto& e : log->events) {
    if (e.kind == "annotation") {
      const auto op = annotation::decode_operation(e.payload);
      if (!op) {
        ++unreadable;
        continue;
      }
      const auto detail = nlohmann::json::parse(e.detail, nullptr, false);
      annotations_.push_back(
          {e.at, op.value(),
           detail.is_object() ? detail.value("console", op.value().author) : op.value().author});
    } else if (e.kind == "annotation_scene") {
      auto scene = annotation::decode_scene(e.payload);
      if (!scene) {
        ++unreadable;
      } else if (!snapshot && annotations_.empty()) {
        snapshot = std::move(scene).value();
      }
    } else if (e.kind == "vitals") {
      auto packet = vitals::decode_vitals_packet(e.payload);
      if (!packet) {
        ++unreadable;
        continue;
      }
      vitals_.push_back({e.at, std::move(packet).value()});
    } else if (e.kind == "placements") {
      auto placed = annotation::decode_placed_frame(e.payload, e.at);
      if (!placed) {
        if (placement_refusals++ == 0) first_refusal = placed.error().reason;
        continue;
      }
      for (auto& [id, p] : placed.value().placements)
        placements_[id].push_back({e.at, placed.value().frame, p});
    } else if (e.kind == "roster") {
      const auto list = nlohmann::json::parse(e.detail, nullptr, false);
      if (!list.is_array()) {
        ++unreadable;
        continue;
      }
      rosters_.emplace_back(e.at, participants_of(list));
    } else if (e.kind == "session") {
      const auto j = nlohmann::json::parse(e.detail, nullptr, false);
      if (!j.is_object()) {
        ++unreadable;
        continue;
      }
      session_events_.push_back({e.at, j.value("event", ""), e.detail});
    } else if (e.kind == "latency") {
      const auto j = nlohmann::json::parse(e.detail, nullptr, false);
      if (!j.is_object()) {
        ++unreadable;
        continue;
      }
      latency_.push_back({e.at, j.value("console", ""), j.value("author", ""), j.value("g2g_p50_ms", 0.0),
                          j.value("g2g_p95_ms", 0.0), j.value("clock_uncertainty_ms", 0.0)});
    }
  }
  if (unreadable > 0)
    problems_.push_back(std::to_string(unreadable) + " events of " + file.filename().string() +
                        " cannot be read and are left out");
  if (placement_refusals > 0)
    problems_.push_back(std::to_string(placement_refusals) + " placement events of " +
                        file.filename().string() + " cannot be read (the first: " + first_refusal +
                        "): those annotations are drawn where they were drawn there");
  if (snapshot) initial_scene_ = std::move(*snapshot);
  std::stable_sort(annotations_.begin(), annotations_.end(),
                   [](const auto& a, const auto& b) { return a.op.sequence < b.op.sequence; });
  if (!annotations_.empty() && annotations_.front().op.sequence != initial_scene_.version + 1) {
    problems_.push_back("the log holds annotation operations from number " +
                        std::to_string(annotations_.front().op.sequence) + " but the scene before them (" +
                        std::to_string(initial_scene_.version) +
                        "): what was drawn before the recording started is not shown");
    initial_scene_ = annotation::Scene{annotations_.front().op.sequence - 1, {}};
  }
}

void RecordedCase::index_for_time() {
  // The log is written in time order; sorted (stably) anyway, as every lookup below searches by time.
  const auto by_time = [](const auto& a, const auto& b) { return a.at < b.at; };
  std::stable_sort(vitals_.begin(), vitals_.end(), by_time);
  std::stable_sort(session_events_.begin(), session_events_.end(), by_time);
  std::stable_sort(latency_.begin(), latency_.end(), by_time);
  for (auto& [id, placed] : placements_) std::stable_sort(placed.begin(), placed.end(), by_time);
  std::stable_sort(rosters_.begin(), rosters_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& record : vitals_) {
    for (const auto& sample : record.packet.numerics)
      samples_[static_cast<std::size_t>(sample.parameter)].push_back({record.at, sample});
    if (record.packet.carries_alarm_state) alarm_states_.emplace_back(record.at, record.packet.alarms);
    for (const auto& chunk : record.packet.waveforms) {
      if (chunk.samples.empty()) continue;
      chunks_[static_cast<std::size_t>(chunk.waveform)].push_back(chunk);
    }
  }
  // The sender sends each chunk twice (once more with the next payload, against a lost packet): kept once.
  for (auto& chunks : chunks_) {
    std::stable_sort(chunks.begin(), chunks.end(),
                     [](const auto& a, const auto& b) { return a.first_sample < b.first_sample; });
    chunks.erase(std::unique(chunks.begin(), chunks.end(),
                             [](const auto& a, const auto& b) {
                               return a.first_sample == b.first_sample &&
                                      a.samples.size() == b.samples.size();
                             }),
                 chunks.end());
  }
  for (auto& samples : samples_) {
    std::stable_sort(samples.begin(), samples.end(), [](const StreamedSample& a, const StreamedSample& b) {
      return a.sample.captured < b.sample.captured;
    });
  }
  // The scene: one cursor forward through the whole log, its state kept every kOperationsPerCheckpoint
  // operations.
  SceneCursor cursor(*this);
  for (std::size_t i = kOperationsPerCheckpoint - 1; i < annotations_.size(); i += kOperationsPerCheckpoint) {
    const auto t = annotations_[i].op.applied_at;
    if (!scene_checkpoints_.empty() && t <= scene_checkpoints_.back().at) continue;  // a cursor only goes on
    const auto scene = cursor.at(t);
    scene_checkpoints_.push_back(
        {t, scene, cursor.next_operation_, cursor.next_event_, cursor.sound_, cursor.hidden_});
  }
}

core::CaptureTime RecordedCase::first_picture() const { return manifest_.segments.front().first; }

core::CaptureTime RecordedCase::last_picture() const {
  core::CaptureTime last = manifest_.segments.front().first;
  for (const auto& s : manifest_.segments) last = std::max({last, s.first, s.last});
  return last;
}

CaseMoment RecordedCase::at(core::CaptureTime t) const {
  CaseMoment m;
  m.capture = t;
  SceneCursor scene(*this, t);
  m.scene = scene.at(t);
  m.annotations_hidden = scene.hidden();
  place(t, *m.scene, m);
  // Vitals as the mentor saw them with the picture of t (lip sync): the newest sample of each numeric
  // captured by then. A payload is streamed after its samples were captured; none is streamed seconds later.
  const auto streamed_by = t + std::chrono::seconds{5};
  for (std::size_t p = 0; p < samples_.size(); ++p) {
    const auto& samples = samples_[p];
    auto it = std::upper_bound(
        samples.begin(), samples.end(), t,
        [](core::CaptureTime when, const StreamedSample& s) { return when < s.sample.captured; });
    while (it != samples.begin()) {
      --it;
      if (it->streamed <= streamed_by) {
        m.vitals[p] = it->sample;
        break;
      }
    }
  }
  m.waveforms = waveforms_at(t, kWaveformWindow);
  if (const auto a = last_at_or_before(alarm_states_, t, [](const auto& s) { return s.first; });
      a != alarm_states_.end())
    m.alarms = a->second;
  if (const auto r = last_at_or_before(rosters_, t, [](const auto& p) { return p.first; });
      r != rosters_.end())
    m.roster = r->second;
  bool mentor = false;
  // Each mentor's latest report by t, looked for back from t.
  const auto reported_by_t =
      std::upper_bound(latency_.begin(), latency_.end(), t,
                       [](core::CaptureTime when, const LatencyReport& l) { return when < l.at; });
  for (const auto& p : m.roster) {
    if (p.role != "mentor") continue;
    mentor = true;
    for (auto l = reported_by_t; l != latency_.begin();) {
      --l;
      if (l->author != p.author) continue;
      m.mentor_latency.push_back(*l);
      break;
    }
  }
  if (mentor) {
    m.link = LinkState::kConnected;
  } else {
    // The last mentor to leave before t: lost unless it said goodbye.
    const auto by_t =
        std::upper_bound(session_events_.begin(), session_events_.end(), t,
                         [](core::CaptureTime when, const SessionEvent& e) { return when < e.at; });
    for (auto e = std::make_reverse_iterator(by_t); e != session_events_.rend(); ++e) {
      if (e->event != "leave") continue;
      const auto j = nlohmann::json::parse(e->detail, nullptr, false);
      const std::string author = j.value("author", "");
      const bool was_mentor = std::any_of(rosters_.begin(), rosters_.end(), [&](const auto& r) {
        return std::any_of(r.second.begin(), r.second.end(),
                           [&](const Participant& p) { return p.author == author && p.role == "mentor"; });
      });
      if (!was_mentor) continue;
      if (j.value("departure", "") == "link_lost") m.link = LinkState::kLost;
      break;
    }
  }
  return m;
}

void RecordedCase::place(core::CaptureTime t, const annotation::Scene& scene, CaseMoment& m) const {
  for (const auto& a : scene.annotations) {
    const auto found = placements_.find(a->id);
    if (found == placements_.end()) continue;
    const auto p = last_at_or_before(found->second, t, [](const RecordedPlacement& r) { return r.at; });
    if (p == found->second.end()) continue;
    if (m.placement_frame.area() == 0) m.placement_frame = p->frame;
    // One size for the moment (the OR display's does not change); another is scaled to it.
    m.placements[a->id] = annotation::scaled_placement(p->placement, p->frame, m.placement_frame);
    m.placed_on[a->id] = p->at;
  }
}

annotation::Placements CaseMoment::placements_for(cv::Size2d size) const {
  annotation::Placements out;
  for (const auto& [id, p] : placements) out[id] = annotation::scaled_placement(p, placement_frame, size);
  return out;
}

annotation::Placements RecordedCase::placements_at(core::CaptureTime t, const annotation::Scene& scene,
                                                   cv::Size2d size) const {
  CaseMoment m;
  place(t, scene, m);
  return m.placements_for(size);
}

bool RecordedCase::waveforms_recorded() const {
  return std::any_of(chunks_.begin(), chunks_.end(), [](const auto& chunks) { return !chunks.empty(); });
}

std::vector<vitals::WaveformChunk> RecordedCase::waveforms_at(core::CaptureTime t,
                                                              std::chrono::nanoseconds span) const {
  std::vector<vitals::WaveformChunk> out;
  const auto from = t - span;  // exclusive
  for (const auto& chunks : chunks_) {
    if (chunks.empty()) continue;
    // The first chunk that may hold a sample after `from`: chunks are short (the packetizer's max_chunk), so
    // start one before the last that begins at or before it.
    auto it = std::upper_bound(chunks.begin(), chunks.end(), from,
                               [](core::CaptureTime when, const auto& c) { return when < c.first_sample; });
    if (it != chunks.begin()) --it;
    vitals::WaveformChunk window;
    window.waveform = chunks.front().waveform;
    window.unit = chunks.front().unit;
    window.sample_period = chunks.front().sample_period;
    std::optional<core::CaptureTime> last;
    for (; it != chunks.end() && it->first_sample <= t; ++it) {
      for (std::size_t i = 0; i < it->samples.size(); ++i) {
        const auto when = it->time_of(i);
        if (when <= from) continue;
        if (when > t) break;
        if (last && when <= *last) continue;  // overlaps what is already in the window
        if (!last) window.first_sample = when;
        window.sample_period = it->sample_period;
        window.samples.push_back(it->samples[i]);
        last = when;
      }
    }
    if (!window.samples.empty()) out.push_back(std::move(window));
  }
  return out;
}

SceneCursor::SceneCursor(const RecordedCase& recorded) : recorded_(recorded) {
  replica_.reset(recorded.scene_at_start());
}

SceneCursor::SceneCursor(const RecordedCase& recorded, core::CaptureTime from) : recorded_(recorded) {
  const auto& checkpoints = recorded.scene_checkpoints_;
  const auto after = std::upper_bound(
      checkpoints.begin(), checkpoints.end(), from,
      [](core::CaptureTime when, const RecordedCase::SceneCheckpoint& c) { return when < c.at; });
  if (after == checkpoints.begin()) {
    replica_.reset(recorded.scene_at_start());
    return;
  }
  const auto& c = *std::prev(after);
  replica_.reset(*c.scene);
  next_operation_ = c.next_operation;
  next_event_ = c.next_event;
  sound_ = c.sound;
  hidden_ = c.hidden;
}

std::shared_ptr<const annotation::Scene> SceneCursor::at(core::CaptureTime t) {
  // The sequenced operations replayed in order, expiring what the sender's authority expired (it sweeps every
  // 100 ms; here at each operation's time and at t).
  const auto& operations = recorded_.annotations();
  for (; sound_ && next_operation_ < operations.size(); ++next_operation_) {
    const auto& record = operations[next_operation_];
    if (record.op.applied_at > t) break;
    replica_.expire(record.op.applied_at);
    sound_ = replica_.apply(record.op).has_value();  // a gap or a diverged log stops the replay
  }
  replica_.expire(t);
  const auto& events = recorded_.session_events();
  for (; next_event_ < events.size() && events[next_event_].at <= t; ++next_event_) {
    if (events[next_event_].event == "annotations_hidden") hidden_ = true;
    if (events[next_event_].event == "annotations_shown") hidden_ = false;
  }
  return replica_.confirmed();
}

std::optional<media::RecordedPicture> RecordedCase::picture_at(core::CaptureTime t, std::string* why) const {
  // The segment holding t: the last one that began at or before it (the first for a time before the start).
  const auto& segments = manifest_.segments;
  auto s = last_at_or_before(segments, t, [](const media::ManifestSegment& x) { return x.first; });
  if (s == segments.end()) s = segments.begin();
  const auto file = folder_ / s->file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (why) *why = s->file + " is missing";
    return std::nullopt;
  }
  // Past a segment's last frame (a gap, or the end), the last frame stays on the screen.
  const auto at = s->last > s->first ? std::min(t, s->last) : t;
  std::string decode_why;
  auto picture = media::recorded_picture_at(file, s->first, at, &decode_why, s->seek_preroll());
  if (!picture && why) *why = s->file + ": " + decode_why;
  return picture;
}

}  // namespace surgilink::review

namespace surgilink::review {

std::vector<RecordedTalker> RecordedCase::talkers() const {
  std::vector<RecordedTalker> out;
  // The voice is sent in 10 ms Opus frames (media::VoiceCaptureSettings); a packet stands for one.
  constexpr auto kFrame = std::chrono::milliseconds{10};
  for (const auto& v : manifest_.voice) {
    auto t =
        std::find_if(out.begin(), out.end(), [&v](const RecordedTalker& x) { return x.talker == v.talker; });
    if (t == out.end()) {
      out.push_back({v.talker, {}, 0, v.first, v.last, std::chrono::nanoseconds{0}});
      t = out.end() - 1;
    }
    t->files.push_back(v.file);
    t->packets += v.frames;
    t->first = std::min(t->first, v.first);
    t->last = std::max(t->last, v.last);
    t->voiced += kFrame * static_cast<long>(v.frames);
  }
  return out;
}

std::vector<std::string> RecordedCase::speaking_at(core::CaptureTime t) const {
  constexpr auto kAround = std::chrono::milliseconds{100};
  constexpr double kSpeakingDbfs = -40.0;  // as the OR display's "MENTOR SPEAKING"
  std::vector<std::string> out;
  for (const auto& talker : talkers()) {
    std::vector<float> window(static_cast<std::size_t>(2 * media::kVoiceSampleRate / 10), 0.0f);
    for (const auto& v : manifest_.voice) {
      if (v.talker != talker.talker || v.last + kAround < t || v.first > t + kAround) continue;
      media::mix_recorded_voice(folder_ / v.file, v.first, t - kAround, window, nullptr);
    }
    double energy = 0;
    for (const float x : window) energy += static_cast<double>(x) * x;
    const double rms = std::sqrt(energy / static_cast<double>(window.size()));
    if (rms > 0 && 20 * std::log10(rms) > kSpeakingDbfs) out.push_back(talker.talker);
  }
  return out;
}

}  // namespace surgilink::review
