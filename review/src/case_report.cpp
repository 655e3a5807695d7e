#include "surgilink/review/case_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "surgilink/core/base64.hpp"
#include "surgilink/core/software_version.hpp"
#include "surgilink/review/case_moment_view.hpp"

namespace surgilink::review {

namespace {

std::string escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string number(double value, int decimals = 1) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// "12:04.3" (minutes:seconds) after the first picture.
std::string offset_text(core::CaptureTime t, core::CaptureTime origin) {
  const double s = std::chrono::duration<double>(t - origin).count();
  const double whole = std::floor(std::abs(s));
  char text[32];
  std::snprintf(text, sizeof text, "%s%d:%04.1f", s < 0 ? "-" : "", static_cast<int>(whole / 60),
                std::abs(s) - 60 * std::floor(whole / 60));
  return text;
}

// One line of a plot: (seconds after the first picture, value).
struct Series {
  std::string label;
  std::string colour;
  std::vector<std::pair<double, double>> points;
  bool dashed = false;
};
struct Level {
  double value;
  std::string label;
  std::string colour;
};

// An inline SVG line plot over the whole recording (x: 0 .. `duration_s`).
std::string svg_plot(const std::vector<Series>& series, double duration_s, const std::string& unit,
                     const std::vector<Level>& levels) {
  constexpr double kWidth = 900, kHeight = 240, kLeft = 56, kRight = 170, kTop = 12, kBottom = 30;
  double top = 1;
  for (const auto& s : series)
    for (const auto& p : s.points) top = std::max(top, p.second);
  for (const auto& l : levels) top = std::max(top, l.value);
  top *= 1.1;
  const double span = std::max(duration_s, 1.0);
  const auto x = [&](double s) { return kLeft + (kWidth - kLeft - kRight) * s / span; };
  const auto y = [&](double v) { return kTop + (kHeight - kTop - kBottom) * (1 - v / top); };
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << " " << kHeight << "\" font-family=\"sans-serif\" font-size=\"11\">";
  out << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kWidth - kLeft - kRight
      << "\" height=\"" << kHeight - kTop - kBottom << "\" fill=\"#fafafa\" stroke=\"#999\"/>";
  for (int i = 0; i <= 4; ++i) {
    const double v = top * i / 4;
    out << "<text x=\"" << kLeft - 4 << "\" y=\"" << y(v) + 4 << "\" text-anchor=\"end\">" << number(v, 0)
        << "</text>";
    const double s = span * i / 4;
    out << "<text x=\"" << x(s) << "\" y=\"" << kHeight - 12 << "\" text-anchor=\"middle\">" << number(s, 0)
        << " s</text>";
  }
  out << "<text x=\"4\" y=\"" << kTop + 10 << "\">" << escape(unit) << "</text>";
  for (const auto& l : levels) {
    out << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << y(l.value) << "\" y2=\""
        << y(l.value) << "\" stroke=\"" << l.colour << "\" stroke-dasharray=\"2,3\"/>";
    out << "<text x=\"" << kWidth - kRight + 4 << "\" y=\"" << y(l.value) + 4 << "\" fill=\"" << l.colour
        << "\">" << escape(l.label) << "</text>";
  }
  int row = 0;
  for (const auto& s : series) {
    if (s.points.empty()) continue;
    out << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"1.5\""
        << (s.dashed ? " stroke-dasharray=\"5,3\"" : "") << " points=\"";
    for (const auto& p : s.points) out << number(x(p.first), 1) << "," << number(y(p.second), 1) << " ";
    out << "\"/>";
    const double ly = kTop + 40 + 16 * row++;
    out << "<line x1=\"" << kWidth - kRight + 4 << "\" x2=\"" << kWidth - kRight + 24 << "\" y1=\"" << ly - 4
        << "\" y2=\"" << ly - 4 << "\" stroke=\"" << s.colour << "\" stroke-width=\"2\""
        << (s.dashed ? " stroke-dasharray=\"5,3\"" : "") << "/><text x=\"" << kWidth - kRight + 28
        << "\" y=\"" << ly << "\">" << escape(s.label) << "</text>";
  }
  out << "</svg>";
  return out.str();
}

const char* kPalette[] = {"#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"};

}  // namespace

std::vector<AlarmPeriod> alarm_periods(const RecordedCase& recorded) {
  std::vector<AlarmPeriod> periods;
  std::map<std::pair<vitals::Parameter, vitals::AlarmCondition>, std::size_t> open;  // -> index in periods
  for (const auto& record : recorded.vitals()) {
    if (!record.packet.carries_alarm_state) continue;
    std::set<std::pair<vitals::Parameter, vitals::AlarmCondition>> now;
    for (const auto& a : record.packet.alarms) {
      const auto key = std::make_pair(a.parameter, a.condition);
      now.insert(key);
      if (!open.count(key)) {
        open[key] = periods.size();
        periods.push_back({a, std::nullopt});
      }
    }
    for (auto it = open.begin(); it != open.end();) {
      if (now.count(it->first)) {
        ++it;
        continue;
      }
      periods[it->second].ended = record.at;
      it = open.erase(it);
    }
  }
  return periods;
}

std::string case_report_html(const RecordedCase& recorded, const std::vector<std::string>& problems,
                             const std::vector<Bookmark>& bookmarks) {
  const auto& m = recorded.manifest();
  const auto origin = recorded.first_picture();
  const double duration_s = std::chrono::duration<double>(recorded.last_picture() - origin).count();
  const auto at = [&](core::CaptureTime t) { return offset_text(t, origin); };
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Case report "
    << escape(m.case_pseudonym) << "</title><style>"
    << "body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}h1{font-size:22px}"
    << "h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}table{border-collapse:collapse}"
    << "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}th{background:#eee}"
    << ".problem{color:#b71c1c}.lost{color:#b71c1c;font-weight:bold}.muted{color:#777}</style></"
       "head><body>\n";
  h << "<h1>Case report — " << escape(m.case_pseudonym.empty() ? "?" : m.case_pseudonym) << "</h1>\n";
  h << "<table><tr><th>Site</th><td>" << escape(m.site) << "</td></tr><tr><th>Recorded</th><td>"
    << core::utc_text(origin) << " to " << core::utc_text(recorded.last_picture())
    << "</td></tr><tr><th>Duration</th><td>" << at(recorded.last_picture()) << " (" << number(duration_s)
    << " s of video in " << m.segments.size() << " segments)</td></tr><tr><th>Recording</th><td>"
    << escape(describe(m.state)) << ", written by " << escape(m.software.empty() ? "?" : m.software)
    << "</td></tr><tr><th>Report</th><td>" << escape(core::software_version())
    << "; times are minutes:seconds after the first picture</td></tr>"
    << "</table>\n";
  h << "<h2>Integrity</h2>\n";
  if (problems.empty()) {
    h << "<p>Every file is present, closed and matches its SHA-256.</p>\n";
  } else {
    h << "<ul>";
    for (const auto& p : problems) h << "<li class=\"problem\">" << escape(p) << "</li>";
    h << "</ul>\n";
  }
  for (const auto& note : m.notes) h << "<p class=\"muted\">Recovery: " << escape(note) << "</p>\n";

  h << "<h2>Bookmarks</h2>\n";
  if (bookmarks.empty()) h << "<p>No bookmarks.</p>\n";
  for (const auto& b : bookmarks) {
    h << "<div style=\"display:inline-block;vertical-align:top;margin:0 12px 12px 0;width:330px\">";
    std::string why;
    if (auto picture = recorded.picture_at(b.at, &why)) {
      draw_as_or_display(recorded.at(b.at), picture->bgr);
      cv::Mat small;
      cv::resize(picture->bgr, small, cv::Size(320, picture->bgr.rows * 320 / std::max(1, picture->bgr.cols)),
                 0, 0, cv::INTER_AREA);
      std::vector<std::uint8_t> jpeg;
      cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
      h << "<img alt=\"picture at " << at(b.at) << "\" src=\"data:image/jpeg;base64," << core::base64(jpeg)
        << "\"><br>";
    } else {
      h << "<p class=\"problem\">no picture: " << escape(why) << "</p>";
    }
    h << "<b>" << at(b.at) << "</b> " << escape(b.by) << ": " << escape(b.comment) << "</div>\n";
  }

  // The recorded voice, per talker.
  h << "<h2>Voice</h2>\n";
  const auto talkers = recorded.talkers();
  if (talkers.empty()) {
    h << "<p>No voice was recorded.</p>\n";
  } else {
    h << "<table><tr><th>talker</th><th>from</th><th>to</th><th>sound (s)</th><th>packets</th><th>files</th>"
         "</tr>";
    for (const auto& t : talkers) {
      std::string files;
      for (const auto& f : t.files) files += (files.empty() ? "" : ", ") + f;
      h << "<tr><td>" << escape(t.talker == "or" ? "OR" : t.talker) << "</td><td>" << at(t.first)
        << "</td><td>" << at(t.last) << "</td><td>" << number(std::chrono::duration<double>(t.voiced).count())
        << "</td><td>" << t.packets << "</td><td>" << escape(files) << "</td></tr>";
    }
    h << "</table>\n<p class=\"muted\">Sound: the packets sent (the OR microphone; nothing while it was "
         "muted) or received from each mentor, 10 ms each; the rest of the span was not sent or was "
         "lost.</p>\n";
  }

  // Who joined when, and the link losses among the leaves.
  h << "<h2>Who joined when</h2>\n";
  if (!recorded.rosters().empty()) {
    h << "<p>At the start: ";
    const auto& first = recorded.rosters().front().second;
    if (first.empty()) h << "no one connected";
    for (std::size_t i = 0; i < first.size(); ++i)
      h << (i ? ", " : "") << escape(first[i].name) << " (" << escape(first[i].role) << ")";
    h << ".</p>\n";
  }
  h << "<table><tr><th>time</th><th>console</th><th>event</th><th>role / why</th></tr>";
  std::vector<const SessionEvent*> losses;
  for (const auto& e : recorded.session_events()) {
    if (e.event != "join" && e.event != "leave") continue;
    const auto j = nlohmann::json::parse(e.detail, nullptr, false);
    const bool lost = e.event == "leave" && j.value("departure", "") == "link_lost";
    if (lost) losses.push_back(&e);
    h << "<tr><td>" << at(e.at) << "</td><td>" << escape(j.value("console", "?")) << "</td><td"
      << (lost ? " class=\"lost\"" : "") << ">"
      << (e.event == "join" ? "joined"
          : lost            ? "link lost"
                            : "left")
      << "</td><td>" << escape(e.event == "join" ? j.value("role", "") : j.value("why", "")) << "</td></tr>";
  }
  h << "</table>\n";

  h << "<h2>Link losses</h2>\n";
  if (losses.empty())
    h << "<p>No link was lost.</p>\n";
  else {
    h << "<p>" << losses.size() << " link loss" << (losses.size() == 1 ? "" : "es") << ":</p><ul>";
    for (const auto* e : losses) {
      const auto j = nlohmann::json::parse(e->detail, nullptr, false);
      h << "<li>" << at(e->at) << " " << escape(j.value("console", "?")) << ": " << escape(j.value("why", ""))
        << "</li>";
    }
    h << "</ul>\n";
  }

  // Latency over time, per console.
  h << "<h2>Glass-to-glass latency</h2>\n";
  std::map<std::string, std::vector<const LatencyReport*>> by_console;
  for (const auto& l : recorded.latency_reports()) by_console[l.console].push_back(&l);
  if (by_console.empty()) {
    h << "<p>No console reported its latency (a console reports once a second from 11 s after its first "
         "picture).</p>\n";
  } else {
    std::vector<Series> series;
    std::size_t colour = 0;
    h << "<table><tr><th>console</th><th>reports</th><th>p50 (median of reports)</th><th>p95 (worst "
         "report)</th><th>red (p95 &gt; 300 ms)</th></tr>";
    for (const auto& [console, reports] : by_console) {
      Series p50{console + " p50", kPalette[colour % 6], {}, true};
      Series p95{console + " p95", kPalette[colour % 6], {}, false};
      ++colour;
      std::vector<double> medians;
      double worst = 0;
      int red = 0;
      for (const auto* r : reports) {
        const double s = std::chrono::duration<double>(r->at - origin).count();
        p50.points.emplace_back(s, r->g2g_p50_ms);
        p95.points.emplace_back(s, r->g2g_p95_ms);
        medians.push_back(r->g2g_p50_ms);
        worst = std::max(worst, r->g2g_p95_ms);
        red += r->g2g_p95_ms > 300 ? 1 : 0;
      }
      std::nth_element(medians.begin(), medians.begin() + static_cast<std::ptrdiff_t>(medians.size() / 2),
                       medians.end());
      h << "<tr><td>" << escape(console) << "</td><td>" << reports.size() << "</td><td>"
        << number(medians[medians.size() / 2]) << " ms</td><td>" << number(worst) << " ms</td><td>" << red
        << " s</td></tr>";
      series.push_back(std::move(p50));
      series.push_back(std::move(p95));
    }
    h << "</table>\n"
      << svg_plot(series, duration_s, "ms",
                  {{150, "green ≤ 150", "#2e7d32"}, {300, "amber ≤ 300", "#ef6c00"}})
      << "\n";
  }

  // Alarms, and the vitals behind them.
  h << "<h2>Alarms</h2>\n";
  const auto alarms = alarm_periods(recorded);
  if (alarms.empty())
    h << "<p>No vitals alarm.</p>\n";
  else {
    h << "<table><tr><th>from</th><th>to</th><th>alarm</th><th>limit</th></tr>";
    for (const auto& a : alarms) {
      const auto& info = vitals::info(a.alarm.parameter);
      h << "<tr><td>" << at(a.alarm.since) << "</td><td>" << (a.ended ? at(*a.ended) : "end")
        << "</td><td class=\"lost\">" << escape(info.short_name)
        << (a.alarm.condition == vitals::AlarmCondition::kLow ? " low" : " high") << "</td><td>"
        << number(a.alarm.limit) << "</td></tr>";
    }
    h << "</table>\n";
  }
  {
    Series hr{"hr (/min)", kPalette[1], {}}, spo2{"spo2 (%)", kPalette[0], {}};
    for (const auto& record : recorded.vitals()) {
      for (const auto& n : record.packet.numerics) {
        if (!n.value) continue;
        const double s = std::chrono::duration<double>(n.captured - origin).count();
        if (n.parameter == vitals::Parameter::kHr) hr.points.emplace_back(s, *n.value);
        if (n.parameter == vitals::Parameter::kSpo2) spo2.points.emplace_back(s, *n.value);
      }
    }
    if (!hr.points.empty() || !spo2.points.empty())
      h << "<p>Heart rate and SpO₂ as streamed:</p>\n" << svg_plot({hr, spo2}, duration_s, "", {}) << "\n";
  }

  // Annotations per author.
  h << "<h2>Annotations per author</h2>\n";
  struct Counts {
    std::string console;
    std::map<std::string, int> begun;
    int pointer = 0, deleted = 0, undone = 0, cleared = 0;
  };
  std::map<std::string, Counts> counts;
  for (const auto& a : recorded.annotations()) {
    auto& c = counts[a.op.author];
    c.console = a.console;
    if (const auto* b = std::get_if<annotation::Begin>(&a.op.op))
      ++c.begun[annotation::describe(b->draft.kind)];
    if (std::holds_alternative<annotation::Pointer>(a.op.op)) ++c.pointer;
    if (std::holds_alternative<annotation::Delete>(a.op.op)) ++c.deleted;
    if (std::holds_alternative<annotation::Undo>(a.op.op)) ++c.undone;
    if (std::holds_alternative<annotation::Clear>(a.op.op)) ++c.cleared;
  }
  if (counts.empty())
    h << "<p>No one drew.</p>\n";
  else {
    const char* kinds[] = {"stroke", "arrow", "ellipse", "label"};
    h << "<table><tr><th>author</th>";
    for (const char* k : kinds) h << "<th>" << k << "s</th>";
    h << "<th>total drawn</th><th>pointer moves</th><th>deleted</th><th>undone</th><th>cleared</th></tr>";
    for (const auto& [author, c] : counts) {
      int total = 0;
      h << "<tr><td>" << escape(c.console) << " (" << escape(author) << ")</td>";
      for (const char* k : kinds) {
        const auto it = c.begun.find(k);
        const int n = it == c.begun.end() ? 0 : it->second;
        total += n;
        h << "<td>" << n << "</td>";
      }
      h << "<td><b>" << total << "</b></td><td>" << c.pointer << "</td><td>" << c.deleted << "</td><td>"
        << c.undone << "</td><td>" << c.cleared << "</td></tr>";
    }
    h << "</table>\n";
  }

  // Everything else the session recorded, in order.
  h << "<h2>Session events</h2>\n<table><tr><th>time</th><th>event</th><th>details</th></tr>";
  for (const auto& e : recorded.session_events()) {
    auto j = nlohmann::json::parse(e.detail, nullptr, false);
    std::string details;
    if (j.is_object()) {
      j.erase("event");
      for (const auto& [k, v] : j.items())
        details +=
            (details.empty() ? "" : ", ") + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    h << "<tr><td>" << at(e.at) << "</td><td>" << escape(e.event) << "</td><td>" << escape(details)
      << "</td></tr>";
  }
  h << "</table>\n</body></html>\n";
  return h.str();
}

}  // namespace surgilink::review
