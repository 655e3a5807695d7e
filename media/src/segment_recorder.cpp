#include "surgilink/media/segment_recorder.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include <spdlog/spdlog.h>

#include "segment_recorder_gst.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

namespace {
constexpr auto kCloseWait = std::chrono::seconds{2};

// One Matroska file being written: appsrc → h264parse → matroskamux → filesink.
struct OpenSegment {
  GstElement* pipeline = nullptr;
  GstElement* source = nullptr;
  std::size_t index_entry = 0;
};

// A segment's line in recording.json.
struct IndexEntry {
  std::string file;
  core::CaptureTime first{}, last{};
  std::uint64_t frames = 0;
  bool closed = false;
};
}  // namespace

struct SegmentRecorder::Impl {
  std::chrono::seconds length;
  std::function<void()> keyframe_needed;

  mutable std::mutex mutex;  // everything below
  RecorderStatus status;
  std::optional<OpenSegment> open;
  std::vector<OpenSegment> closing;  // end of stream sent; waiting for the muxer to finish the file
  std::vector<IndexEntry> index;

  // The index is rewritten whole and renamed into place: a reader (or a crash) never sees half of it.
  void write_index() {
    nlohmann::json segments = nlohmann::json::array();
    for (const auto& e : index) {
      segments.push_back({{"file", e.file},
                          {"first_capture_ns", e.first.time_since_epoch().count()},
                          {"last_capture_ns", e.last.time_since_epoch().count()},
                          {"frames", e.frames},
                          {"closed", e.closed}});
    }
    const nlohmann::json doc = {
        {"format", "surgilink-recording/1"}, {"video", "H.264 in Matroska"}, {"segments", segments}};
    const auto path = status.folder / "recording.json";
    const auto temporary = status.folder / "recording.json.tmp";
    {
      std::ofstream out(temporary, std::ios::trunc);
      out << doc.dump(2) << '\n';
      if (!out) {
        status.last_error = "cannot write " + temporary.string();
        return;
      }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) status.last_error = "cannot write " + path.string() + ": " + ec.message();
  }

  void note_error(GstMessage* message) {
    GError* error = nullptr;
    gst_message_parse_error(message, &error, nullptr);
    status.last_error = error != nullptr ? error->message : "unknown recorder error";
    spdlog::error("recorder: {}", status.last_error);
    if (error) g_error_free(error);
  }

  bool open_segment(GstCaps* caps, core::CaptureTime first) {
    char name[32];
    std::snprintf(name, sizeof name, "segment-%05zu.mkv", index.size() + 1);
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch(
        // Bounded (about a minute of video): a writer that stops writing must not eat the sender's memory.
        "appsrc name=encoded is-live=true format=time max-bytes=67108864 leaky-type=upstream block=false ! "
        "h264parse ! "
        "matroskamux ! filesink name=file sync=false async=false",
        &error);
    if (pipeline == nullptr || error != nullptr) {
      status.last_error = std::string("cannot build the segment writer: ") + (error ? error->message : "?") +
                          " (install the packages in tools/debian-packages.txt)";
      if (error) g_error_free(error);
      if (pipeline) gst_object_unref(pipeline);
      return false;
    }
    GstElement* source = gst_bin_get_by_name(GST_BIN(pipeline), "encoded");
    GstElement* file = gst_bin_get_by_name(GST_BIN(pipeline), "file");
    g_object_set(source, "caps", caps, nullptr);
    g_object_set(file, "location", (status.folder / name).c_str(), nullptr);
    gst_object_unref(file);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      status.last_error = "cannot open " + (status.folder / name).string();
      gst_object_unref(source);
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
      return false;
    }
    index.push_back({name, first, first, 0, false});
    open = OpenSegment{pipeline, source, index.size() - 1};
    write_index();
    return true;
  }

  void close_open_segment() {
    if (!open) return;
    gst_app_src_end_of_stream(GST_APP_SRC(open->source));
    closing.push_back(*open);
    open.reset();
  }

  // Releases the segments whose muxer finished (or failed); with `wait`, waits for each (at most 2 s).
  void reap_closing(bool wait) {
    for (auto it = closing.begin(); it != closing.end();) {
      GstBus* bus = gst_element_get_bus(it->pipeline);
      GstMessage* message = gst_bus_timed_pop_filtered(
          bus, wait ? static_cast<GstClockTime>(std::chrono::nanoseconds{kCloseWait}.count()) : 0,
          static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
      gst_object_unref(bus);
      if (message == nullptr && !wait) {
        ++it;
        continue;
      }
      if (message != nullptr && GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) note_error(message);
      const bool finished = message != nullptr && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
      if (message) gst_message_unref(message);
      gst_element_set_state(it->pipeline, GST_STATE_NULL);
      gst_object_unref(it->source);
      gst_object_unref(it->pipeline);
      index[it->index_entry].closed = finished;
      if (finished) ++status.segments_closed;
      it = closing.erase(it);
      write_index();
    }
  }

  // A muxer or file error (disk full, folder removed) ends the recording: the OR must be told, not shown REC
  // while nothing is written. The segment stays in the index, not closed.
  bool open_segment_failed() {
    GstBus* bus = gst_element_get_bus(open->pipeline);
    GstMessage* message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    gst_object_unref(bus);
    if (message == nullptr) return false;
    note_error(message);
    gst_message_unref(message);
    gst_element_set_state(open->pipeline, GST_STATE_NULL);
    gst_object_unref(open->source);
    gst_object_unref(open->pipeline);
    open.reset();
    status.recording = false;
    write_index();
    return true;
  }

  void write(GstSample* sample, core::CaptureTime capture) {
    std::lock_guard lock(mutex);
    if (!status.recording) return;
    reap_closing(false);
    if (open && open_segment_failed()) return;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer == nullptr) return;
    const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    if (open && keyframe && capture - index[open->index_entry].first >= length) close_open_segment();
    if (!open) {
      // A segment must start with a keyframe, or its first seconds would not decode.
      if (!keyframe) {
        ++status.frames_skipped;
        return;
      }
      if (!open_segment(gst_sample_get_caps(sample), capture)) return;
    }
    auto& entry = index[open->index_entry];
    GstBuffer* copy = gst_buffer_copy(buffer);  // shares the memory; only the timestamps are ours
    GST_BUFFER_PTS(copy) = static_cast<GstClockTime>((capture - entry.first).count());
    GST_BUFFER_DTS(copy) = GST_BUFFER_PTS(copy);
    GST_BUFFER_DURATION(copy) = GST_CLOCK_TIME_NONE;
    if (gst_app_src_push_buffer(GST_APP_SRC(open->source), copy) != GST_FLOW_OK) {
      status.last_error = "the segment writer refused a frame";
      return;
    }
    entry.last = capture;
    ++entry.frames;
    ++status.frames_written;
  }
};

SegmentRecorder::SegmentRecorder(std::chrono::seconds segment_length, std::function<void()> keyframe_needed)
    : impl_(std::make_unique<Impl>()) {
  initialise_gstreamer();
  impl_->length = segment_length;
  impl_->keyframe_needed = std::move(keyframe_needed);
}

SegmentRecorder::~SegmentRecorder() { stop(); }

std::optional<std::string> SegmentRecorder::start(const std::filesystem::path& folder) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->status.recording) return "already recording into " + impl_->status.folder.string();
    std::error_code ec;
    if (std::filesystem::exists(folder / "recording.json", ec))
      return folder.string() + " already holds a recording";
    std::filesystem::create_directories(folder, ec);
    if (ec) return "cannot create " + folder.string() + ": " + ec.message();
    impl_->status = RecorderStatus{};
    impl_->status.folder = folder;
    impl_->status.recording = true;
    impl_->index.clear();
    impl_->write_index();
    if (!impl_->status.last_error.empty()) {
      impl_->status.recording = false;
      return impl_->status.last_error;
    }
  }
  if (impl_->keyframe_needed) impl_->keyframe_needed();
  return std::nullopt;
}

void SegmentRecorder::stop() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->status.recording && impl_->closing.empty()) return;
  impl_->status.recording = false;
  impl_->close_open_segment();
  impl_->reap_closing(true);
}

RecorderStatus SegmentRecorder::status() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->status;
}

void record_encoded_frame(SegmentRecorder& recorder, GstSample* sample, core::CaptureTime capture_time) {
  recorder.impl().write(sample, capture_time);
}

}  // namespace surgilink::media
