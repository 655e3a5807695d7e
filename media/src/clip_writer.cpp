#include "surgilink/media/clip_writer.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <cstring>

#include "gst_ref.hpp"
#include "segment_writer.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

struct ClipWriter::Pipeline {
  GstObjectRef<GstElement> pipeline;
  GstObjectRef<GstElement> source;
  GstObjectRef<GstElement> sound;  // null without a sound track
};

std::unique_ptr<ClipWriter> ClipWriter::open(const std::filesystem::path& file, cv::Size size,
                                             const std::string& title, const std::string& comment,
                                             std::string* why, bool with_sound) {
  initialise_gstreamer();
  GError* error = nullptr;
  std::string description =
      "appsrc name=pictures format=time block=true max-bytes=33554432 ! videoconvert ! "
      "video/x-raw,format=I420 ! "
      "x264enc speed-preset=veryfast ! video/x-h264,profile=high ! h264parse ! mp4mux name=mux "
      "faststart=true ! "
      "filesink name=file sync=false";
  // AAC-LC: what every browser and player plays in MP4.
  if (with_sound)
    description +=
        " appsrc name=sound format=time block=true max-bytes=4194304 "
        "caps=audio/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved ! audioconvert ! avenc_aac "
        "bitrate=96000 ! aacparse ! mux.";
  GstElement* parsed = gst_parse_launch(description.c_str(), &error);
  if (parsed == nullptr || error != nullptr) {
    if (why)
      *why = std::string("cannot build the clip writer: ") + (error ? error->message : "?") +
             " (install the packages in tools/debian-packages.txt)";
    if (error) g_error_free(error);
    if (parsed) gst_object_unref(parsed);
    return nullptr;
  }
  std::unique_ptr<ClipWriter> w(new ClipWriter());
  w->size_ = size;
  w->pipeline_ = std::make_unique<Pipeline>();
  w->pipeline_->pipeline.reset(GST_ELEMENT(gst_object_ref_sink(parsed)));
  GstElement* pipeline = w->pipeline_->pipeline.get();
  w->pipeline_->source.reset(gst_bin_get_by_name(GST_BIN(pipeline), "pictures"));
  if (with_sound) w->pipeline_->sound.reset(gst_bin_get_by_name(GST_BIN(pipeline), "sound"));
  GstCaps* caps =
      gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "BGR", "width", G_TYPE_INT, size.width,
                          "height", G_TYPE_INT, size.height, "framerate", GST_TYPE_FRACTION, 0, 1, nullptr);
  g_object_set(w->pipeline_->source.get(), "caps", caps, nullptr);
  gst_caps_unref(caps);
  const GstObjectRef<GstElement> mux(gst_bin_get_by_name(GST_BIN(pipeline), "mux"));
  gst_tag_setter_add_tags(GST_TAG_SETTER(mux.get()), GST_TAG_MERGE_REPLACE, GST_TAG_TITLE, title.c_str(),
                          GST_TAG_COMMENT, comment.c_str(), GST_TAG_ENCODER, "SurgiLink", nullptr);
  const GstObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline), "file"));
  g_object_set(sink.get(), "location", file.c_str(), nullptr);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    if (why) *why = "cannot write " + file.string();
    return nullptr;
  }
  return w;
}

ClipWriter::~ClipWriter() {
  if (pipeline_ && pipeline_->pipeline) gst_element_set_state(pipeline_->pipeline.get(), GST_STATE_NULL);
}

bool ClipWriter::push(const cv::Mat& bgr, std::chrono::nanoseconds at) {
  if (ended_ || bgr.type() != CV_8UC3 || bgr.size() != size_ || (last_ && at <= *last_)) return false;
  const std::size_t row = static_cast<std::size_t>(size_.width) * 3;
  // GStreamer's default stride for BGR: rows padded to 4 bytes.
  const std::size_t stride = (row + 3) & ~std::size_t{3};
  GstBuffer* buffer =
      gst_buffer_new_allocate(nullptr, stride * static_cast<std::size_t>(size_.height), nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  for (int y = 0; y < size_.height; ++y)
    std::memcpy(map.data + stride * static_cast<std::size_t>(y), bgr.ptr(y), row);
  gst_buffer_unmap(buffer, &map);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(at.count());
  last_ = at;
  ++frames_;
  return gst_app_src_push_buffer(GST_APP_SRC(pipeline_->source.get()), buffer) == GST_FLOW_OK;
}

bool ClipWriter::push_sound(std::span<const float> samples) {
  if (ended_ || !pipeline_->sound || samples.empty()) return false;
  GstBuffer* buffer = gst_buffer_new_memdup(samples.data(), samples.size_bytes());
  GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(sound_samples_, GST_SECOND, kVoiceSampleRate);
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(samples.size(), GST_SECOND, kVoiceSampleRate);
  sound_samples_ += samples.size();
  return gst_app_src_push_buffer(GST_APP_SRC(pipeline_->sound.get()), buffer) == GST_FLOW_OK;
}

bool ClipWriter::finish(std::chrono::nanoseconds wait, std::string* why) {
  if (ended_) return true;
  ended_ = true;
  gst_app_src_end_of_stream(GST_APP_SRC(pipeline_->source.get()));
  if (pipeline_->sound) gst_app_src_end_of_stream(GST_APP_SRC(pipeline_->sound.get()));
  if (!wait_for_bus(pipeline_->pipeline.get(), GST_MESSAGE_EOS, wait, "the clip was not written out in time",
                    why))
    return false;
  gst_element_set_state(pipeline_->pipeline.get(), GST_STATE_NULL);
  return true;
}

}  // namespace surgilink::media
