#include "surgilink/media/recorded_voice.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "gst_ref.hpp"
#include "segment_writer.hpp"
#include "surgilink/media/audio_marker.hpp"

namespace surgilink::media {

namespace {

// The times of the packets as they enter the decoder, in order. Written on the streaming thread, read after
// the end of stream.
struct PacketTimes {
  std::mutex mutex;
  std::vector<GstClockTime> pts;
};

GstPadProbeReturn note_packet(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* times = static_cast<PacketTimes*>(data);
  if (GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info)) {
    std::lock_guard lock(times->mutex);
    times->pts.push_back(GST_BUFFER_PTS(buffer));
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

long mix_recorded_voice(const std::filesystem::path& file, core::CaptureTime first, core::CaptureTime origin,
                        std::span<float> mix, std::string* why) {
  const auto pipeline = segment_reader(
      file,
      "opusdec name=decoder ! audioconvert ! audioresample ! "
      "audio/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved ! appsink name=out sync=false",
      why);
  if (!pipeline) return -1;
  struct Stop {
    GstElement* pipeline;
    ~Stop() { gst_element_set_state(pipeline, GST_STATE_NULL); }
  } stop{pipeline.get()};
  PacketTimes times;
  const GstObjectRef<GstElement> decoder(gst_bin_get_by_name(GST_BIN(pipeline.get()), "decoder"));
  const GstObjectRef<GstPad> into(gst_element_get_static_pad(decoder.get(), "sink"));
  gst_pad_add_probe(into.get(), GST_PAD_PROBE_TYPE_BUFFER, note_packet, &times, nullptr);
  const GstObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out"));
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  // Every decoded block, in order: a voice file is small (a minute of speech is a few MB decoded).
  std::vector<GstMiniRef<GstSample>> decoded;
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 10 * GST_SECOND))
    decoded.emplace_back(sample);
  if (!gst_app_sink_is_eos(GST_APP_SINK(sink.get()))) {
    const GstObjectRef<GstBus> bus(gst_element_get_bus(pipeline.get()));
    if (GstMessage* error = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR)) {
      if (why) *why = file.filename().string() + ": " + error_text(error);
      gst_message_unref(error);
    } else if (why) {
      *why = file.filename().string() + ": the decoder did not finish within 10 s";
    }
    return -1;
  }
  std::vector<GstClockTime> packets;
  {
    std::lock_guard lock(times.mutex);
    packets = times.pts;
  }
  // The decoder gives one block per packet: each block goes where its packet was captured, to the
  // microsecond. (Its own output times count samples since it last resynchronised to its input, which is
  // close but not each packet's time; they serve only if the counts ever differ.)
  const bool one_to_one = packets.size() == decoded.size();
  long placed = 0;
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    GstBuffer* buffer = gst_sample_get_buffer(decoded[i].get());
    if (buffer == nullptr) continue;
    const GstClockTime pts = one_to_one ? packets[i] : GST_BUFFER_PTS(buffer);
    if (!GST_CLOCK_TIME_IS_VALID(pts)) continue;
    const auto at = first + std::chrono::nanoseconds{pts} - origin;
    // Rounded to the nearest sample: at 48 kHz that is within 11 µs of the capture time.
    const auto start = static_cast<long long>(
        std::llround(std::chrono::duration<double>(at).count() * static_cast<double>(kVoiceSampleRate)));
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) continue;
    const auto* samples = reinterpret_cast<const float*>(map.data);
    const auto count = static_cast<long long>(map.size / sizeof(float));
    const auto size = static_cast<long long>(mix.size());
    for (long long k = std::max(0LL, -start); k < count && start + k < size; ++k)
      mix[static_cast<std::size_t>(start + k)] += samples[k];
    gst_buffer_unmap(buffer, &map);
    if (start < size && start + count > 0) ++placed;
  }
  return placed;
}

}  // namespace surgilink::media
