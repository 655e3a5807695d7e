#include "surgilink/review/case_moment_view.hpp"

#include <cstdio>

#include "surgilink/annotation/annotation_layer.hpp"

namespace surgilink::review {

std::string colour_text(std::uint32_t rgba) {
  char text[16];
  std::snprintf(text, sizeof text, "#%08x", rgba);
  return text;
}

nlohmann::json moment_json(const CaseMoment& m, core::CaptureTime first_picture) {
  nlohmann::json annotations = nlohmann::json::array();
  for (const auto& a : m.scene->annotations) {
    annotations.push_back({{"id", a->id},
                           {"author", a->author},
                           {"kind", annotation::describe(a->kind)},
                           {"colour", colour_text(a->colour_rgba)}});
  }
  nlohmann::json g2g = nlohmann::json::object();
  for (const auto& l : m.mentor_latency) g2g[l.console] = l.g2g_p95_ms;
  nlohmann::json roster = nlohmann::json::array();
  for (const auto& p : m.roster) roster.push_back(p.name + " (" + p.role + ")");
  return {{"capture_ns", m.capture.time_since_epoch().count()},
          {"offset_s", std::chrono::duration<double>(m.capture - first_picture).count()},
          {"annotations", annotations},
          {"annotations_hidden", m.annotations_hidden},
          {"vitals", vitals::numerics_json(m.vitals)},
          {"vitals_alarms", vitals::alarms_json(m.alarms)},
          {"mentor_g2g_p95_ms", g2g},
          {"link", describe(m.link)},
          {"roster", roster}};
}

void draw_as_or_display(const CaseMoment& moment, cv::Mat& bgr) {
  if (moment.annotations_hidden || moment.scene->annotations.empty()) return;
  annotation::AnnotationLayer layer(bgr.size());
  layer.update(moment.scene, {});
  layer.blend_onto_bgr(bgr);
}

}  // namespace surgilink::review
