#pragma once
// H.264 access units made as fast as the encoder goes (videotestsrc -> x264enc), to feed the recorder
// without a live source and with capture times a test chooses.

#include <gst/gst.h>

namespace surgilink::testing {

class EncodedTestStream {
 public:
  // `pattern` is a videotestsrc pattern ("snow" gives large frames); a keyframe every `keyframe_interval`
  // frames, or with `intra_refresh` one refresh wave of that many frames and no keyframe after the first.
  EncodedTestStream(int width, int height, int bitrate_kbps, int keyframe_interval, const char* pattern,
                    bool intra_refresh = false);
  ~EncodedTestStream();
  EncodedTestStream(const EncodedTestStream&) = delete;
  EncodedTestStream& operator=(const EncodedTestStream&) = delete;

  // The next access unit (the caller unrefs it), or nullptr when the encoder gave none within 10 s.
  GstSample* next();

 private:
  GstElement* pipeline_ = nullptr;
  GstElement* sink_ = nullptr;
};

}  // namespace surgilink::testing
