#include "surgilink/review/case_moment_view.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "surgilink/annotation/annotation_layer.hpp"
#include "surgilink/annotation/placement.hpp"

namespace surgilink::review {

namespace {
// A sample as text with 4 significant digits (JSON stays short; a waveform's resolution is coarser).
std::string fmt_significant(double v, int digits = 4) {
  char text[40];
  std::snprintf(text, sizeof text, "%.*g", digits, v);
  return text;
}
}  // namespace

std::string colour_text(std::uint32_t rgba) {
  char text[16];
  std::snprintf(text, sizeof text, "#%08x", rgba);
  return text;
}

nlohmann::json waveforms_json(const std::vector<vitals::WaveformChunk>& waveforms) {
  nlohmann::json out = nlohmann::json::array();
  const auto rounded = [](float v) { return std::stod(fmt_significant(v)); };
  for (const auto& c : waveforms) {
    if (c.samples.empty()) continue;
    const auto& info = vitals::info(c.waveform);
    const auto [lo, hi] = std::minmax_element(c.samples.begin(), c.samples.end());
    nlohmann::json last = nlohmann::json::array();
    const std::size_t from =
        c.samples.size() > kWaveformJsonSamples ? c.samples.size() - kWaveformJsonSamples : 0;
    for (std::size_t i = from; i < c.samples.size(); ++i) last.push_back(rounded(c.samples[i]));
    out.push_back(
        {{"waveform", std::string(info.short_name)},
         {"mdc_code", info.mdc_code},
         {"unit", std::string(vitals::info(c.unit).symbol)},
         {"sample_period_ms", std::chrono::duration<double, std::milli>(c.sample_period).count()},
         {"window_s",
          std::chrono::duration<double>(c.sample_period * static_cast<long>(c.samples.size())).count()},
         {"min", rounded(*lo)},
         {"max", rounded(*hi)},
         {"last", last},
         {"last_capture_ns", c.time_of(c.samples.size() - 1).time_since_epoch().count()}});
  }
  return out;
}

nlohmann::json moment_json(const CaseMoment& m, core::CaptureTime first_picture, bool waveforms_recorded) {
  nlohmann::json annotations = nlohmann::json::array();
  for (const auto& a : m.scene->annotations) {
    nlohmann::json one = {{"id", a->id},
                          {"author", a->author},
                          {"kind", annotation::describe(a->kind)},
                          {"colour", colour_text(a->colour_rgba)},
                          {"placement", nullptr}};
    const auto placed = m.placements.find(a->id);
    if (placed != m.placements.end() && !a->points.empty()) {
      const auto& p = placed->second;
      nlohmann::json h = nlohmann::json::array();
      for (const double v : p.homography.val) h.push_back(std::stod(fmt_significant(v, 7)));
      // The annotation's first point where it was drawn and where the OR display showed it (normalised).
      const cv::Size2d size = m.placement_frame;
      const auto drawn = annotation::to_pixels(a->points.front(), m.placement_frame);
      const auto shown = annotation::map_point(p.homography, drawn);
      one["placement"] = {{"capture_ns", m.placed_on.at(a->id).time_since_epoch().count()},
                          {"frame", {m.placement_frame.width, m.placement_frame.height}},
                          {"homography", h},
                          {"opacity", std::stod(fmt_significant(p.opacity, 4))},
                          {"uncertain", p.position_uncertain},
                          {"first_point_drawn",
                           {std::stod(fmt_significant(a->points.front().x, 6)),
                            std::stod(fmt_significant(a->points.front().y, 6))}},
                          {"first_point_shown",
                           {std::stod(fmt_significant((shown.x + 0.5) / size.width, 6)),
                            std::stod(fmt_significant((shown.y + 0.5) / size.height, 6))}}};
    }
    annotations.push_back(std::move(one));
  }
  nlohmann::json g2g = nlohmann::json::object();
  for (const auto& l : m.mentor_latency) g2g[l.console] = l.g2g_p95_ms;
  nlohmann::json roster = nlohmann::json::array();
  for (const auto& p : m.roster) roster.push_back(p.name + " (" + p.role + ")");
  nlohmann::json j = {{"capture_ns", m.capture.time_since_epoch().count()},
                      {"offset_s", std::chrono::duration<double>(m.capture - first_picture).count()},
                      {"annotations", annotations},
                      {"annotations_hidden", m.annotations_hidden},
                      {"vitals", vitals::numerics_json(m.vitals)},
                      {"vitals_alarms", vitals::alarms_json(m.alarms)},
                      {"mentor_g2g_p95_ms", g2g},
                      {"link", describe(m.link)},
                      {"roster", roster},
                      {"waveforms", waveforms_json(m.waveforms)}};
  if (!waveforms_recorded) j["waveforms_note"] = "no waveforms recorded";
  return j;
}

void draw_as_or_display(const CaseMoment& moment, cv::Mat& bgr) {
  if (moment.annotations_hidden || moment.scene->annotations.empty()) return;
  annotation::AnnotationLayer layer(bgr.size());
  layer.update(moment.scene, moment.placements_for(bgr.size()));
  layer.blend_onto_bgr(bgr);
}

}  // namespace surgilink::review
