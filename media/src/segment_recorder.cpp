#include "surgilink/media/segment_recorder.hpp"

#include <fcntl.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "segment_recorder_gst.hpp"
#include "segment_writer.hpp"
#include "surgilink/core/software_version.hpp"
#include "surgilink/media/h264_access_unit.hpp"
#include "surgilink/media/recorded_segment.hpp"
#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

namespace {
constexpr auto kCloseWait = std::chrono::seconds{2};
// How often (capture time) the free space is looked at while recording: a second of 1080p60 is ~1.2 MB.
constexpr auto kDiskCheckInterval = std::chrono::seconds{1};

std::string megabytes(std::uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MB"; }

std::string segment_name(std::size_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "segment-%05zu.mkv", number);
  return name;
}

std::string voice_name(const std::string& talker, std::size_t number) {
  char counter[16];
  std::snprintf(counter, sizeof counter, "-%05zu.mkv", number);
  return "voice-" + safe_name_part(talker, "talker") + counter;
}

// Opus as RTP carries it (RFC 7587: 48 kHz); the packets themselves say mono or stereo.
GstCaps* opus_caps() {
  return gst_caps_new_simple("audio/x-opus", "channel-mapping-family", G_TYPE_INT, 0, "channels", G_TYPE_INT,
                             1, "rate", G_TYPE_INT, 48000, nullptr);
}

// The picture's size and frame rate. Each segment has one: Matroska keeps one size per track, and the H.264
// headers' frame rate is the grid the segment's frames are put on. Plain value type.
struct PictureFormat {
  int width = 0, height = 0, rate_n = 0, rate_d = 0;
  bool operator==(const PictureFormat&) const = default;
};

// An exclusive lock on a recording's folder, held while a sender writes it, so that the recovery of another
// sender sharing the recordings folder never takes a recording that is alive for one left by a crash (the
// kernel drops the lock when its process dies).
class FolderLock {
 public:
  FolderLock() = default;
  explicit FolderLock(const std::filesystem::path& folder)
      : fd_(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  FolderLock(FolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FolderLock& operator=(FolderLock&& other) noexcept {
    if (this != &other) {
      release();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~FolderLock() { release(); }
  bool held() const { return fd_ >= 0; }

 private:
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};
}  // namespace

std::string safe_name_part(const std::string& text, const std::string& if_empty) {
  std::string out;
  for (const char c : text) {
    const bool plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += plain ? c : '_';
  }
  return out.empty() ? if_empty : out;
}

std::optional<std::uint64_t> free_bytes_at(const std::filesystem::path& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(fs.f_bavail) * static_cast<std::uint64_t>(fs.f_frsize);
}

struct SegmentRecorder::Impl {
  std::chrono::seconds length;
  std::function<void()> keyframe_needed;
  std::optional<std::uint32_t> refresh_frames;  // the encoder's intra refresh wave (frames), if any
  DiskFloors floors;

  // Work for the finishing thread: a segment whose stream has ended, or another file of the recording that
  // was closed.
  struct Job {
    std::filesystem::path folder;
    std::unique_ptr<SegmentWriter> writer;  // a segment or voice file to finish, or
    std::size_t entry = 0;                  // (its index in the manifest's segments or voice)
    std::string role;                       // a listed file to seal
    bool voice = false;                     // the writer's file is a voice file
  };

  mutable std::mutex mutex;  // everything below
  std::condition_variable changed;
  RecorderStatus status;
  RecordingManifest manifest;  // of status.folder
  std::unique_ptr<SegmentWriter> open;
  std::size_t open_entry = 0;
  bool keyframe_asked = false;  // the open segment is due and has asked for its successor's keyframe
  std::optional<PictureFormat> open_format;  // of the open segment
  // Per talker, the voice file open now (its writer and index in manifest.voice).
  std::map<std::string, std::pair<std::unique_ptr<SegmentWriter>, std::size_t>> voices;
  core::CaptureTime next_disk_check{};
  std::deque<Job> jobs;
  bool busy = false;            // the finishing thread is working on something taken from here
  bool manifest_dirty = false;  // the manifest changed since it was last written
  bool quitting = false;
  FolderLock folder_lock;  // of status.folder, until the next recording starts
  std::thread finisher;

  void note_error(std::string text) {
    status.last_error = std::move(text);
    spdlog::error("recorder: {}", status.last_error);
  }

  void mark_dirty() {
    refresh_state();
    manifest_dirty = true;
    changed.notify_all();
  }

  // "complete" once nothing is being written and every file is sealed.
  void refresh_state() {
    if (manifest.state != RecordingState::kRecording || status.recording || open || !jobs.empty()) return;
    for (const auto& f : manifest.files) {
      if (!f.seal) return;
    }
    manifest.state = RecordingState::kComplete;
    if (!manifest.segments.empty()) manifest.ended = manifest.segments.back().last;
  }

  void close_open_segment() {
    if (!open) return;
    jobs.push_back(Job{status.folder, std::move(open), open_entry, {}, false});
    changed.notify_all();
  }

  void close_voice_files() {
    for (auto& [talker, file] : voices)
      jobs.push_back(Job{status.folder, std::move(file.first), file.second, {}, true});
    if (!voices.empty()) changed.notify_all();
    voices.clear();
  }

  // Stops the recording on an error of the file system or the muxer: the OR must be told, not shown REC
  // while nothing is written.
  void end_by_error(std::string text) {
    note_error(std::move(text));
    status.recording = false;
    close_open_segment();
    close_voice_files();
    mark_dirty();
  }

  bool disk_allows_writing(core::CaptureTime capture) {
    if (capture < next_disk_check) return true;
    next_disk_check = capture + kDiskCheckInterval;
    status.free_bytes = free_bytes_at(status.folder);
    if (!status.free_bytes) return true;
    status.disk_low = floors.warn_below_bytes > 0 && *status.free_bytes < floors.warn_below_bytes;
    if (floors.refuse_below_bytes == 0 || *status.free_bytes >= floors.refuse_below_bytes) return true;
    end_by_error("free space on the recording disk fell to " + megabytes(*status.free_bytes) +
                 ", below its floor of " + megabytes(floors.refuse_below_bytes) +
                 ": recording stopped so that the disk does not fill");
    return false;
  }

  static std::optional<PictureFormat> picture_format(const GstCaps* caps) {
    if (caps == nullptr || gst_caps_get_size(caps) == 0) return std::nullopt;
    const GstStructure* s = gst_caps_get_structure(caps, 0);
    PictureFormat f;
    if (!gst_structure_get_int(s, "width", &f.width) || !gst_structure_get_int(s, "height", &f.height)) {
      return std::nullopt;
    }
    if (!gst_structure_get_fraction(s, "framerate", &f.rate_n, &f.rate_d)) f.rate_n = f.rate_d = 0;
    return f;
  }

  // How long the encoder's refresh wave lasts at this segment's frame rate (the ladder may have lowered it):
  // none without intra refresh. An unknown rate counts as the ladder's lowest, 15 fps.
  std::optional<std::chrono::milliseconds> refresh_wave(GstCaps* caps) const {
    if (!refresh_frames) return std::nullopt;
    const auto format = picture_format(caps);
    const double fps = format && format->rate_n > 0 && format->rate_d > 0
                           ? static_cast<double>(format->rate_n) / format->rate_d
                           : 15.0;
    return std::chrono::milliseconds{static_cast<std::int64_t>(std::ceil(*refresh_frames * 1000 / fps))};
  }

  bool open_segment(GstCaps* caps, core::CaptureTime first) {
    const std::string name = segment_name(manifest.segments.size() + 1);
    std::string why;
    auto writer = SegmentWriter::open(status.folder / name, caps, first, &why);
    if (!writer) {
      end_by_error(why);
      return false;
    }
    open = std::move(writer);
    manifest.segments.push_back({name, first, first, 0, false, std::nullopt, {}, {}, refresh_wave(caps)});
    open_entry = manifest.segments.size() - 1;
    if (status.started == core::CaptureTime{}) status.started = first;
    mark_dirty();
    return true;
  }

  // Writes one encoded frame. Returns whether the stream should now have a keyframe (the open segment has
  // reached its length): the caller asks the encoder, outside the lock.
  bool write(GstSample* sample, core::CaptureTime capture) {
    std::lock_guard lock(mutex);
    if (!status.recording) return false;
    if (open) {
      if (auto failure = open->failure()) {
        end_by_error(*failure);
        return false;
      }
    }
    if (!disk_allows_writing(capture)) return false;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer == nullptr) return false;
    // x264 with intra refresh marks each refresh wave's first picture a sync point too. It stays one in the
    // file (a seek may land there: the review then decodes a wave ahead, ManifestSegment::intra_refresh),
    // but only an IDR, which decodes alone, starts a segment.
    const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT) && is_idr(buffer);
    // A new picture size or frame rate (the video ladder stepped) starts a new segment.
    const auto format = picture_format(gst_sample_get_caps(sample));
    if (open && keyframe &&
        (capture - manifest.segments[open_entry].first >= length || (format && format != open_format))) {
      close_open_segment();
    }
    if (!open) {
      // A segment must start with a keyframe, or its first seconds would not decode.
      if (!keyframe) {
        ++status.frames_skipped;
        return false;
      }
      if (!open_segment(gst_sample_get_caps(sample), capture)) return false;
      open_format = format;
      keyframe_asked = false;
    }
    if (!open->push(buffer, capture)) {
      status.last_error = "the segment writer refused a frame";
      return false;
    }
    auto& entry = manifest.segments[open_entry];
    entry.last = capture;
    ++entry.frames;
    ++status.frames_written;
    status.bytes_written += gst_buffer_get_size(buffer);
    status.last_frame = capture;
    // Periodic IDRs end a segment on time by themselves; with intra refresh there are none, so the segment
    // asks for one (once) when it is due.
    if (keyframe_asked || capture - manifest.segments[open_entry].first < length) return false;
    keyframe_asked = true;
    return true;
  }

  static bool is_idr(GstBuffer* buffer) {
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return false;
    const bool idr = h264_access_unit_has_idr(std::span<const std::uint8_t>(map.data, map.size));
    gst_buffer_unmap(buffer, &map);
    return idr;
  }

  // One Opus packet of `talker` into its voice file, which opens at its first packet and is followed by the
  // next one after the segment length, as the video is.
  void write_voice(const std::string& talker, std::span<const std::uint8_t> opus, core::CaptureTime capture) {
    std::lock_guard lock(mutex);
    if (!status.recording || opus.empty()) return;
    auto found = voices.find(talker);
    if (found != voices.end()) {
      if (auto failure = found->second.first->failure()) return end_by_error(*failure);
      if (capture - manifest.voice[found->second.second].first >= length) {
        jobs.push_back(Job{status.folder, std::move(found->second.first), found->second.second, {}, true});
        changed.notify_all();
        voices.erase(found);
        found = voices.end();
      }
    }
    if (found == voices.end()) {
      std::size_t number = 1;
      for (const auto& v : manifest.voice)
        number += safe_name_part(v.talker, "talker") == safe_name_part(talker, "talker") ? 1 : 0;
      const std::string name = voice_name(talker, number);
      std::string why;
      GstCaps* caps = opus_caps();
      auto writer = SegmentWriter::open(status.folder / name, caps, capture, &why);
      gst_caps_unref(caps);
      if (!writer) return end_by_error(why);
      manifest.voice.push_back({name, capture, capture, 0, false, std::nullopt, {}, talker, std::nullopt});
      found = voices.emplace(talker, std::pair{std::move(writer), manifest.voice.size() - 1}).first;
      mark_dirty();
    }
    GstBuffer* buffer = gst_buffer_new_memdup(opus.data(), opus.size());
    const bool written = found->second.first->push(buffer, capture);
    gst_buffer_unref(buffer);
    if (!written) {
      ++status.voice_packets_refused;
      return;
    }
    auto& entry = manifest.voice[found->second.second];
    entry.last = capture;
    ++entry.frames;
    ++status.voice_packets_written;
  }

  // The finishing thread: segments' ends, seals and manifest writes, in order.
  void finish_loop() {
    pthread_setname_np(pthread_self(), "rec-finish");
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [this] { return quitting || !jobs.empty() || manifest_dirty; });
      if (!jobs.empty()) {
        Job job = std::move(jobs.front());
        jobs.pop_front();
        busy = true;
        lock.unlock();
        finish(job);
        lock.lock();
        busy = false;
        mark_dirty();
        continue;
      }
      if (manifest_dirty) {
        manifest_dirty = false;
        const RecordingManifest snapshot = manifest;
        const auto folder = status.folder;
        busy = true;
        lock.unlock();
        const auto why = snapshot.write(folder);
        lock.lock();
        busy = false;
        if (why) note_error(*why);
        changed.notify_all();
        continue;
      }
      if (quitting) return;
    }
  }

  // Without the lock: waits for the muxer, flushes and hashes.
  void finish(Job& job) {
    std::string why;
    std::optional<FileSeal> seal;
    bool finished = true;
    if (job.writer) {
      finished = job.writer->finish(kCloseWait, &why);
      if (finished && !flush_to_disk(job.writer->file())) why = "cannot flush " + job.writer->file().string();
      if (finished) seal = seal_of(job.writer->file(), &why);
      job.writer.reset();
    } else {
      std::string name;
      {
        std::lock_guard lock(mutex);
        if (const auto* f = manifest.file(job.role)) name = f->file;
      }
      if (!name.empty()) {
        flush_to_disk(job.folder / name);
        seal = seal_of(job.folder / name, &why);
      }
    }
    std::lock_guard lock(mutex);
    if (job.folder != status.folder) return;  // cannot happen: start() waits for every job
    if (job.voice) {
      auto& entry = manifest.voice[job.entry];
      entry.closed = finished;
      entry.seal = seal;
    } else if (job.role.empty()) {
      auto& entry = manifest.segments[job.entry];
      entry.closed = finished;
      entry.seal = seal;
      if (finished) ++status.segments_closed;
    } else {
      for (auto& f : manifest.files) {
        if (f.role == job.role) f.seal = seal;
      }
    }
    if (!why.empty()) note_error(why);
  }

  void wait_idle(std::unique_lock<std::mutex>& lock) {
    changed.wait(lock, [this] { return jobs.empty() && !busy && !manifest_dirty; });
  }
};

SegmentRecorder::SegmentRecorder(std::chrono::seconds segment_length, std::function<void()> keyframe_needed,
                                 DiskFloors floors)
    : impl_(std::make_unique<Impl>()) {
  initialise_gstreamer();
  impl_->length = segment_length;
  impl_->keyframe_needed = std::move(keyframe_needed);
  impl_->floors = floors;
  impl_->finisher = std::thread([this] { impl_->finish_loop(); });
}

SegmentRecorder::~SegmentRecorder() {
  stop();
  {
    std::unique_lock lock(impl_->mutex);
    impl_->wait_idle(lock);
    impl_->quitting = true;
    impl_->changed.notify_all();
  }
  impl_->finisher.join();
}

std::optional<std::string> SegmentRecorder::start(const std::filesystem::path& folder,
                                                  RecordingIdentity identity) {
  {
    std::unique_lock lock(impl_->mutex);
    if (impl_->status.recording) return "already recording into " + impl_->status.folder.string();
    impl_->wait_idle(lock);  // the last recording's files are finished
    std::error_code ec;
    if (std::filesystem::exists(folder / RecordingManifest::kFileName, ec))
      return folder.string() + " already holds a recording";
    std::filesystem::create_directories(folder, ec);
    if (ec) return "cannot create " + folder.string() + ": " + ec.message();
    // The case's pictures are the service's own, whatever the process's umask.
    ::chmod(folder.c_str(), 0700);
    FolderLock lock_of_folder(folder);
    if (!lock_of_folder.held()) return folder.string() + " is being written by another process";
    const auto free = free_bytes_at(folder);
    const auto floor = impl_->floors.refuse_below_bytes;
    if (free && floor > 0 && *free < floor)
      return "only " + megabytes(*free) + " free on the recording disk (" + folder.parent_path().string() +
             "), below its floor of " + megabytes(floor) + ": not recording";
    impl_->status = RecorderStatus{};
    impl_->status.folder = folder;
    impl_->status.free_bytes = free;
    impl_->status.disk_low =
        free && impl_->floors.warn_below_bytes > 0 && *free < impl_->floors.warn_below_bytes;
    impl_->next_disk_check = {};
    impl_->folder_lock = std::move(lock_of_folder);
    impl_->manifest = RecordingManifest{};
    impl_->manifest.software = core::software_version();
    impl_->manifest.case_pseudonym = identity.case_pseudonym;
    impl_->manifest.site = identity.site;
    impl_->manifest.video = "H.264 in Matroska";
    impl_->manifest.started = std::chrono::system_clock::now();
    if (const auto why = impl_->manifest.write(folder)) return *why;
    impl_->status.recording = true;
  }
  if (impl_->keyframe_needed) impl_->keyframe_needed();
  return std::nullopt;
}

void SegmentRecorder::set_intra_refresh(std::optional<std::uint32_t> frames_per_wave) {
  std::lock_guard lock(impl_->mutex);
  impl_->refresh_frames = frames_per_wave;
}

void SegmentRecorder::add_file(const std::string& role, const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->status.folder.empty()) return;
  impl_->manifest.files.push_back({role, name, std::nullopt});
  impl_->mark_dirty();
}

void SegmentRecorder::seal(const std::string& role) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->manifest.file(role) == nullptr) return;
  impl_->jobs.push_back(Impl::Job{impl_->status.folder, nullptr, 0, role, false});
  impl_->changed.notify_all();
}

void SegmentRecorder::stop() {
  std::unique_lock lock(impl_->mutex);
  if (impl_->status.recording) {
    impl_->status.recording = false;
    impl_->close_open_segment();
    impl_->close_voice_files();
    impl_->mark_dirty();
  }
  impl_->wait_idle(lock);
}

void SegmentRecorder::record_voice(const std::string& talker, std::span<const std::uint8_t> opus,
                                   core::CaptureTime capture) {
  impl_->write_voice(talker, opus, capture);
}

RecorderStatus SegmentRecorder::status() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->status;
}

void record_encoded_frame(SegmentRecorder& recorder, GstSample* sample, core::CaptureTime capture_time) {
  auto& impl = recorder.impl();
  if (impl.write(sample, capture_time) && impl.keyframe_needed) impl.keyframe_needed();
}

namespace {

// Rewrites a segment a crash left open from what its demuxer can still read. Returns the frames kept and the
// capture time of the last one, or nothing (with `why`) when not one frame could be read.
struct Rewritten {
  std::uint64_t frames = 0;
  core::CaptureTime last{};
};
std::optional<Rewritten> rewrite_open_segment(const std::filesystem::path& file, core::CaptureTime first,
                                              std::string* why) {
  const auto reader = segment_reader(file, "appsink name=out sync=false", why);
  if (!reader) return std::nullopt;
  const GstObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(reader.get()), "out"));
  gst_element_set_state(reader.get(), GST_STATE_PLAYING);
  const auto repaired = std::filesystem::path(file.string() + ".repair");
  std::unique_ptr<SegmentWriter> writer;
  Rewritten out;
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 5 * GST_SECOND)) {
    const GstMiniRef<GstSample> held(sample);
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer)) continue;
    const auto capture = first + std::chrono::nanoseconds{GST_BUFFER_PTS(buffer)};
    if (!writer) {
      writer = SegmentWriter::open(repaired, gst_sample_get_caps(sample), first, why);
      if (!writer) break;
    }
    if (!writer->push(buffer, capture)) break;
    ++out.frames;
    out.last = capture;
  }
  gst_element_set_state(reader.get(), GST_STATE_NULL);
  if (!writer || out.frames == 0) {
    if (why->empty()) *why = "no frame can be read";
    std::error_code ec;
    std::filesystem::remove(repaired, ec);
    return std::nullopt;
  }
  if (!writer->finish(std::chrono::seconds{10}, why) || !flush_to_disk(repaired)) return std::nullopt;
  writer.reset();
  std::error_code ec;
  std::filesystem::rename(repaired, file, ec);
  if (ec) {
    *why = "cannot replace " + file.string() + ": " + ec.message();
    return std::nullopt;
  }
  return out;
}

}  // namespace

Recovery recover_recording(const std::filesystem::path& folder, const SettleFile& settle) {
  initialise_gstreamer();
  Recovery r;
  std::string why;
  auto manifest = RecordingManifest::read(folder, &why);
  if (!manifest) {
    r.error = why;
    return r;
  }
  if (manifest->state != RecordingState::kRecording) return r;
  const FolderLock lock(folder);
  if (!lock.held()) {
    r.error = "a running sender is writing it";
    return r;
  }
  r.needed = true;
  r.notes.push_back("the sender stopped without closing this recording; recovered on " +
                    core::utc_text(core::CaptureClock{}.now()));
  // A segment the crash came too early for the manifest to list: its own date says when it began.
  for (std::size_t n = manifest->segments.size() + 1;; ++n) {
    const std::string name = segment_name(n);
    if (!std::filesystem::exists(folder / name)) break;
    const auto first = recorded_segment_start(folder / name);
    // (Recorded as the segment before it was: with intra refresh or without.)
    const auto wave = manifest->segments.empty() ? std::nullopt : manifest->segments.back().intra_refresh;
    manifest->segments.push_back({name,
                                  first.value_or(manifest->started),
                                  first.value_or(manifest->started),
                                  0,
                                  false,
                                  std::nullopt,
                                  {},
                                  {},
                                  wave});
    r.notes.push_back(name + " was not in the manifest" +
                      (first ? std::string() : " and has no date: its times are the recording's start"));
  }
  // A voice file the crash came too early for the manifest to list: its name says whose, its date when.
  std::vector<std::string> unlisted;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("voice-", 0) != 0 || entry.path().extension() != ".mkv" || name.size() < 16) continue;
    const bool listed = std::any_of(manifest->voice.begin(), manifest->voice.end(),
                                    [&name](const ManifestSegment& v) { return v.file == name; });
    if (!listed) unlisted.push_back(name);
  }
  std::sort(unlisted.begin(), unlisted.end());
  for (const auto& name : unlisted) {
    const auto first = recorded_segment_start(folder / name).value_or(manifest->started);
    manifest->voice.push_back(
        {name, first, first, 0, false, std::nullopt, {}, name.substr(6, name.size() - 6 - 10), std::nullopt});
    r.notes.push_back(name + " was not in the manifest");
  }
  // Video segments and voice files alike: what was left open is rewritten from what can be read.
  for (auto* list : {&manifest->segments, &manifest->voice}) {
    auto& every = *list;
    for (auto& segment : every) {
      const auto file = folder / segment.file;
      if (!segment.closed) {
        std::string problem;
        if (!std::filesystem::exists(file)) {
          segment.repaired = "missing";
          r.notes.push_back(segment.file + " was open and is missing");
          continue;
        }
        const auto rewritten = rewrite_open_segment(file, segment.first, &problem);
        if (!rewritten) {
          segment.repaired = "left open, unreadable (" + problem + "); kept as it was";
          r.notes.push_back(segment.file + " was left open and cannot be read (" + problem +
                            "): kept as it was");
          continue;
        }
        const double seconds = std::chrono::duration<double>(rewritten->last - segment.first).count();
        char text[160];
        std::snprintf(text, sizeof text, "left open; rewritten with the %llu %s (%.1f s) that could be read",
                      static_cast<unsigned long long>(rewritten->frames),
                      segment.talker.empty() ? "frames" : "packets", seconds);
        segment.repaired = text;
        r.notes.push_back(segment.file + " was " + text + " (the index had " +
                          std::to_string(segment.frames) + ")");
        segment.frames = rewritten->frames;
        segment.last = rewritten->last;
        segment.closed = true;
      }
      if (segment.closed && !segment.seal) {
        segment.seal = seal_of(file, &why);
        if (!segment.seal) r.notes.push_back(segment.file + ": " + why);
      }
    }
  }
  for (auto& f : manifest->files) {
    if (f.seal) continue;
    if (!std::filesystem::exists(folder / f.file)) {
      r.notes.push_back(f.file + " (" + f.role + ") is missing");
      continue;
    }
    if (settle) {
      if (const auto problem = settle(f.role, folder / f.file)) r.notes.push_back(f.file + ": " + *problem);
    }
    flush_to_disk(folder / f.file);
    f.seal = seal_of(folder / f.file, &why);
    r.notes.push_back(f.file + (f.seal ? " sealed as found" : ": " + why));
  }
  if (!manifest->segments.empty()) manifest->ended = manifest->segments.back().last;
  manifest->state = RecordingState::kRecovered;
  manifest->notes.insert(manifest->notes.end(), r.notes.begin(), r.notes.end());
  if (const auto failed = manifest->write(folder)) r.error = *failed;
  return r;
}

}  // namespace surgilink::media
