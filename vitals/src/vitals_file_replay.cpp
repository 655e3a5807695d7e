#include "surgilink/vitals/vitals_file_replay.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "surgilink/core/config.hpp"
#include "surgilink/vitals/unit.hpp"
#include "surgilink/vitals/unit_conversion.hpp"

namespace surgilink::vitals {

namespace {

using Offset = core::CaptureTime::duration;

// Largest t accepted (about 31 years): keeps start + t + k * period far from the end of the nanosecond
// capture clock, so no arithmetic on offsets can overflow.
constexpr double kMaxSeconds = 1e9;

enum class Format : std::uint8_t { kCsv, kJsonLines };

// One sample as read, before it is placed on the capture clock.
struct RecordedSample {
  Offset offset{};
  Parameter parameter = Parameter::kHr;
  std::optional<double> value;
};

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Input text quoted for a message: printable and short whatever the file holds.
std::string shown(std::string_view text) {
  std::string out = "'";
  for (char c : text.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (text.size() > 40) out += "...";
  return out + "'";
}

// A JSON value quoted for a message. Only scalars are printed: printing an array or object recurses once per
// level of nesting, and a hostile line can nest a million levels deep.
std::string shown_json(const nlohmann::json& value) {
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return shown(value.dump());
}

std::string known_names() {
  std::string names;
  for (const ParameterInfo& p : all_parameters()) {
    names += names.empty() ? "" : ", ";
    names += p.short_name;
  }
  return names;
}

// The whole of `text` as a number, or nullopt (from_chars: no locale, no leading '+' or spaces).
std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || p != end) return std::nullopt;
  return value;
}

std::optional<Format> format_of(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".csv") return Format::kCsv;
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return Format::kJsonLines;
  return std::nullopt;
}

// Collects the samples of a file row by row and enforces what both formats share: where a problem is
// reported, the time rules and the conversion into canonical units.
class Recording {
 public:
  explicit Recording(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(std::size_t line, const std::string& problem) const {
    throw core::ConfigError(file_ + ":" + std::to_string(line) + ": " + problem);
  }

  // A new row at `seconds` since the recording start.
  void begin_row(std::size_t line, double seconds) {
    if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxSeconds) {
      fail(line, "t " + number(seconds) + " is not a time in seconds between 0 and 1e9");
    }
    const Offset t = std::chrono::round<Offset>(std::chrono::duration<double>(seconds));
    if (!row_times_.empty() && t < row_times_.back()) {
      fail(line, "time goes backwards: t " + number(seconds) + " after t " + number(last_seconds_) +
                     " on line " + std::to_string(last_line_));
    }
    if (row_times_.empty()) first_row_line_ = line;
    row_times_.push_back(t);
    last_seconds_ = seconds;
    last_line_ = line;
  }

  // A sample of the current row; `value` in `unit`, nullopt for "not available".
  void add(std::size_t line, Parameter parameter, std::optional<double> value, Unit unit) {
    RecordedSample s;
    s.offset = row_times_.back();
    s.parameter = parameter;
    if (value) {
      const auto canonical = UnitConversion::to_canonical(parameter, *value, unit);
      if (!canonical) fail(line, canonical.error().reason);
      s.value = canonical.value();
    }
    samples_.push_back(s);
  }

  // Whether `unit` may carry `parameter`, as a message naming the field `what` when it may not.
  std::optional<std::string> misfit(Parameter parameter, Unit unit, const std::string& what) const {
    if (UnitConversion::accepts(parameter, unit)) return std::nullopt;
    const ParameterInfo& p = info(parameter);
    return what + ": unit " + std::string(info(unit).ucum) + " does not fit " + std::string(p.short_name) +
           " (" + std::string(p.label) + ", canonical unit " + std::string(info(p.unit).ucum) + ")";
  }

  std::size_t rows() const { return row_times_.size(); }
  std::size_t first_row_line() const { return first_row_line_; }
  std::size_t samples() const { return samples_.size(); }
  std::vector<RecordedSample> take_samples() { return std::move(samples_); }

  // The last t plus the median of the spacings between successive distinct row times; 1 s without any.
  Offset period() const {
    std::vector<Offset> spacings;
    for (std::size_t i = 1; i < row_times_.size(); ++i) {
      if (row_times_[i] > row_times_[i - 1]) spacings.push_back(row_times_[i] - row_times_[i - 1]);
    }
    Offset spacing = std::chrono::seconds{1};
    if (!spacings.empty()) {
      std::sort(spacings.begin(), spacings.end());
      const std::size_t mid = spacings.size() / 2;
      spacing = spacings.size() % 2 == 1 ? spacings[mid] : (spacings[mid - 1] + spacings[mid]) / 2;
    }
    return row_times_.back() + spacing;
  }

  static std::string number(double v) {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return ec == std::errc{} ? std::string(buffer, end) : std::string("?");
  }

 private:
  std::string file_;
  std::vector<Offset> row_times_;
  std::vector<RecordedSample> samples_;
  double last_seconds_ = 0;
  std::size_t last_line_ = 0;
  std::size_t first_row_line_ = 0;
};

// Calls `on_line(line_number, text)` for every line that is neither blank nor a comment.
template <typename OnLine>
std::size_t for_each_data_line(const std::filesystem::path& file, OnLine on_line) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw core::ConfigError(file.string() + ": cannot open the vitals file");
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    std::string_view view = text;
    // Spreadsheets save CSV with a UTF-8 byte order mark.
    if (line == 1 && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
    view = trim(view);
    if (view.empty() || view.front() == '#') continue;
    on_line(line, view);
  }
  if (in.bad()) throw core::ConfigError(file.string() + ":" + std::to_string(line) + ": read error");
  return line;
}

std::vector<std::string_view> split_csv(std::string_view line) {
  std::vector<std::string_view> cells;
  while (true) {
    const std::size_t comma = line.find(',');
    cells.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return cells;
    line.remove_prefix(comma + 1);
  }
}

// One CSV column: the time or a parameter in the unit its header names.
struct Column {
  std::optional<Parameter> parameter;  // nullopt: the time column
  Unit unit = Unit::kPerMinute;
  std::string header;
};

Column parse_header_cell(const Recording& rec, std::size_t line, std::string_view cell) {
  Column c;
  c.header = std::string(cell);
  std::string_view name = cell;
  std::optional<std::string_view> unit_text;
  if (const std::size_t bracket = cell.find('['); bracket != std::string_view::npos) {
    if (cell.back() != ']') rec.fail(line, "column " + shown(cell) + ": expected name[unit]");
    name = trim(cell.substr(0, bracket));
    unit_text = trim(cell.substr(bracket + 1, cell.size() - bracket - 2));
  }
  if (name == "t") {
    if (unit_text) rec.fail(line, "column " + shown(cell) + ": t is in seconds and takes no unit");
    return c;
  }
  const auto parameter = parameter_from_short_name(name);
  if (!parameter) {
    rec.fail(line, "unknown column " + shown(cell) + " (expected t and short names: " + known_names() + ")");
  }
  c.parameter = *parameter;
  c.unit = info(*parameter).unit;
  if (unit_text) {
    const auto unit = UnitConversion::recognise(*unit_text);
    if (!unit) rec.fail(line, "column " + shown(cell) + ": " + unit.error().reason);
    if (auto problem = rec.misfit(*parameter, unit.value(), "column " + shown(cell)))
      rec.fail(line, *problem);
    c.unit = unit.value();
  }
  return c;
}

void read_csv(const std::filesystem::path& file, Recording& rec) {
  std::vector<Column> columns;
  std::size_t header_line = 0;
  std::size_t time_column = 0;
  const std::size_t lines = for_each_data_line(file, [&](std::size_t line, std::string_view text) {
    const std::vector<std::string_view> cells = split_csv(text);
    if (header_line == 0) {
      header_line = line;
      bool have_time = false;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        Column c = parse_header_cell(rec, line, cells[i]);
        const bool duplicate = std::any_of(columns.begin(), columns.end(), [&](const Column& other) {
          return other.parameter == c.parameter;
        });
        if (duplicate) rec.fail(line, "column " + shown(cells[i]) + " appears twice");
        if (!c.parameter) {
          have_time = true;
          time_column = i;
        }
        columns.push_back(std::move(c));
      }
      if (!have_time) rec.fail(line, "no 't' column (seconds since the recording start)");
      if (columns.size() < 2) rec.fail(line, "no parameter columns besides 't'");
      return;
    }
    if (cells.size() != columns.size()) {
      rec.fail(line, std::to_string(cells.size()) + " cells, but the header on line " +
                         std::to_string(header_line) + " has " + std::to_string(columns.size()) + " columns");
    }
    const auto t = parse_number(cells[time_column]);
    if (!t) rec.fail(line, "t " + shown(cells[time_column]) + " is not a number");
    rec.begin_row(line, *t);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i == time_column || cells[i].empty()) continue;  // empty cell: no sample of this parameter here
      const auto value = parse_number(cells[i]);
      if (!value || !std::isfinite(*value)) {
        rec.fail(line, "column " + shown(columns[i].header) + ": value " + shown(cells[i]) +
                           " is not a finite number");
      }
      rec.add(line, *columns[i].parameter, value, columns[i].unit);
    }
  });
  if (header_line == 0) rec.fail(std::max<std::size_t>(lines, 1), "no header and no rows (empty file)");
  if (rec.rows() == 0) rec.fail(header_line, "a header but no rows");
}

void read_json_lines(const std::filesystem::path& file, Recording& rec) {
  const std::size_t lines = for_each_data_line(file, [&](std::size_t line, std::string_view text) {
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number beyond a double (406)
      // nlohmann counts lines within the one line it was given; its column is the useful part.
      const std::string_view what = e.what();
      const std::size_t column = what.find("column ");
      rec.fail(line, "not valid JSON: " +
                         std::string(column == std::string_view::npos ? what : what.substr(column)));
    }
    if (!row.is_object()) rec.fail(line, "expected one JSON object per line (JSON lines)");
    const auto t = row.find("t");
    if (t == row.end()) rec.fail(line, "no \"t\" key (seconds since the recording start)");
    if (!t->is_number()) rec.fail(line, "\"t\" is " + shown_json(*t) + ", not a number");
    rec.begin_row(line, t->get<double>());

    for (const auto& item : row.items()) {
      const std::string& key = item.key();
      if (key == "t") continue;
      const auto parameter = parameter_from_short_name(key);
      if (!parameter) {
        rec.fail(line, "unknown key " + shown(key) + " (expected t and short names: " + known_names() + ")");
      }
      const std::string what = "\"" + key + "\"";
      const std::string expected =
          what + ": expected a number, null or {\"value\": number or null, \"unit\": \"...\"}, not ";
      Unit unit = info(*parameter).unit;
      const nlohmann::json* value = &item.value();
      if (value->is_object()) {
        for (const auto& field : value->items()) {
          if (field.key() != "value" && field.key() != "unit") {
            rec.fail(line,
                     what + ": unknown key " + shown(field.key()) + " (expected \"value\" and \"unit\")");
          }
        }
        const auto unit_field = value->find("unit");
        if (unit_field != value->end()) {
          if (!unit_field->is_string()) rec.fail(line, what + ": \"unit\" is not a string");
          const auto recognised = UnitConversion::recognise(unit_field->get<std::string>());
          if (!recognised) rec.fail(line, what + ": " + recognised.error().reason);
          if (auto problem = rec.misfit(*parameter, recognised.value(), what)) rec.fail(line, *problem);
          unit = recognised.value();
        }
        const auto value_field = value->find("value");
        if (value_field == value->end()) rec.fail(line, what + ": no \"value\" key");
        value = &*value_field;
      }
      if (value->is_null()) {
        rec.add(line, *parameter, std::nullopt, unit);
      } else if (value->is_number()) {
        rec.add(line, *parameter, value->get<double>(), unit);
      } else {
        rec.fail(line, expected + shown_json(*value));
      }
    }
  });
  if (rec.rows() == 0) rec.fail(std::max<std::size_t>(lines, 1), "no rows (empty file)");
}

}  // namespace

VitalsFileReplay::VitalsFileReplay(const std::filesystem::path& file, core::CaptureTime start, bool loop)
    : start_(start), loop_(loop), produced_until_(start) {
  const auto format = format_of(file);
  if (!format) {
    throw core::ConfigError(file.string() + ": unknown vitals file format " +
                            shown(file.extension().string()) + " (expected .csv, .jsonl, .ndjson or .json)");
  }
  Recording rec(file.string());
  if (*format == Format::kCsv) {
    read_csv(file, rec);
  } else {
    read_json_lines(file, rec);
  }
  if (rec.samples() == 0) rec.fail(rec.first_row_line(), "no samples: every row from here on is empty");
  period_ = rec.period();

  std::vector<RecordedSample> samples = rec.take_samples();
  // Rows are already in time order; within one instant, parameter order makes both formats (and any column
  // order) replay the same way. Stable: two rows at the same t keep their file order.
  std::stable_sort(samples.begin(), samples.end(), [](const RecordedSample& a, const RecordedSample& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.parameter < b.parameter;
  });
  entries_.reserve(samples.size());
  for (const RecordedSample& s : samples) entries_.push_back(Entry{s.offset, s.parameter, s.value});
}

std::vector<NumericSample> VitalsFileReplay::due(core::CaptureTime from, core::CaptureTime to) {
  std::vector<NumericSample> out;
  const core::CaptureTime begin = std::max(from, produced_until_);
  if (to <= begin) return out;
  produced_until_ = to;

  const auto by_offset = [](const Entry& e, Offset at) { return e.offset < at; };
  // The entries of the pass that starts at `pass_start` whose time falls in [begin, to).
  const auto emit_pass = [&](core::CaptureTime pass_start) {
    const auto first = std::lower_bound(entries_.begin(), entries_.end(), begin - pass_start, by_offset);
    const auto last = std::lower_bound(first, entries_.end(), to - pass_start, by_offset);
    for (auto it = first; it != last; ++it) {
      out.push_back(make_numeric_sample(it->parameter, it->value, pass_start + it->offset));
    }
  };

  if (!loop_) {
    emit_pass(start_);
    return out;
  }
  if (to <= start_) return out;
  // Passes before the one holding `begin` end before it: skip them without walking through them.
  const Offset into = std::max(begin - start_, Offset::zero());
  for (auto pass = into / period_; start_ + pass * period_ < to; ++pass) emit_pass(start_ + pass * period_);
  return out;
}

}  // namespace surgilink::vitals
