#include "surgilink/review/clip_export.hpp"

#include <opencv2/imgproc.hpp>

#include "surgilink/annotation/annotation_layer.hpp"
#include "surgilink/media/clip_writer.hpp"

namespace surgilink::review {

namespace {

// Makes a rectangle unreadable: pixelated to blocks of 1/16 of its size, then smoothed.
void blur_rectangle(cv::Mat& bgr, cv::Rect area) {
  cv::Mat part = bgr(area);
  cv::Mat coarse;
  cv::resize(part, coarse, cv::Size(std::max(1, area.width / 16), std::max(1, area.height / 16)), 0, 0,
             cv::INTER_AREA);
  cv::resize(coarse, part, area.size(), 0, 0, cv::INTER_NEAREST);
  cv::GaussianBlur(part, part, cv::Size(31, 31), 0);
}

std::string rectangle_text(cv::Rect r) {
  return std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.width) + "," +
         std::to_string(r.height);
}

}  // namespace

std::optional<ClipResult> export_clip(const RecordedCase& recorded, const ClipRequest& request,
                                      std::string* why) {
  auto fail = [why](std::string text) -> std::optional<ClipResult> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  if (request.to <= request.from) return fail("the clip ends before it begins");
  const auto from = std::max(request.from, recorded.first_picture());
  const auto to = std::min(request.to, recorded.last_picture());
  if (to < from) return fail("no picture of the recording lies between those times");
  const auto& m = recorded.manifest();
  ClipResult result;
  result.comment = "SurgiLink clip of case " + (m.case_pseudonym.empty() ? "?" : m.case_pseudonym) + " (" +
                   (m.site.empty() ? "?" : m.site) + "), annotations as the OR display showed them; " +
                   (request.blur ? "de-identified: rectangle " + rectangle_text(*request.blur) + " blurred"
                                 : "no rectangle blurred");
  std::unique_ptr<media::ClipWriter> writer;
  std::unique_ptr<annotation::AnnotationLayer> layer;
  SceneCursor scene(recorded);
  std::optional<core::CaptureTime> first, last;
  std::string failure;
  for (std::size_t i = 0; i < m.segments.size(); ++i) {
    const auto& s = m.segments[i];
    // A segment ends where the next begins when its own end is not known (a rebuilt manifest).
    const auto end = s.last > s.first ? s.last : (i + 1 < m.segments.size() ? m.segments[i + 1].first : to);
    if (end < from || s.first > to) continue;
    std::string segment_why;
    const bool read = media::for_each_recorded_picture(
        recorded.folder() / s.file, s.first, from, to,
        [&](media::RecordedPicture& picture) {
          if (last && picture.capture <= *last) return true;  // already written from the segment before
          if (!writer) {
            if (request.blur && (*request.blur & cv::Rect({0, 0}, picture.bgr.size())) != *request.blur) {
              failure = "the blur rectangle " + rectangle_text(*request.blur) + " is not inside the " +
                        std::to_string(picture.bgr.cols) + "x" + std::to_string(picture.bgr.rows) +
                        " picture";
              return false;
            }
            writer = media::ClipWriter::open(request.out, picture.bgr.size(),
                                             m.case_pseudonym.empty() ? "SurgiLink case" : m.case_pseudonym,
                                             result.comment, &failure);
            if (!writer) return false;
            layer = std::make_unique<annotation::AnnotationLayer>(picture.bgr.size());
            first = picture.capture;
          }
          if (request.blur) blur_rectangle(picture.bgr, *request.blur);
          const auto shown = scene.at(picture.capture);
          if (!scene.hidden() && !shown->annotations.empty()) {
            layer->update(shown, {});
            layer->blend_onto_bgr(picture.bgr);
          }
          if (!writer->push(picture.bgr, picture.capture - *first)) {
            failure = "the encoder refused a picture";
            return false;
          }
          last = picture.capture;
          result.duration = picture.capture - *first;
          ++result.frames;
          return true;
        },
        &segment_why);
    if (!failure.empty()) return fail(failure);
    if (!read) return fail(s.file + ": " + segment_why);
  }
  if (!writer) return fail("no picture could be decoded between those times");
  if (!writer->finish(std::chrono::seconds{60}, &failure)) return fail(failure);
  return result;
}

}  // namespace surgilink::review
