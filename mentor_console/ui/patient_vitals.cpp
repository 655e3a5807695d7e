#include "patient_vitals.hpp"

#include <QVariantMap>
#include <algorithm>
#include <cmath>

namespace surgilink::console {

namespace {

using vitals::Parameter;

// The panel's rows: one parameter, or a pressure as sys/dia (mean).
struct Row {
  const char* key;
  const char* label;
  Parameter main;
  std::optional<Parameter> second;  // dia
  std::optional<Parameter> third;   // mean
};
constexpr Row kRows[] = {
    {"hr", "HR", Parameter::kHr, std::nullopt, std::nullopt},
    {"spo2", "SpO₂", Parameter::kSpo2, std::nullopt, std::nullopt},
    {"abp", "ABP", Parameter::kAbpSys, Parameter::kAbpDia, Parameter::kAbpMean},
    {"nibp", "NIBP", Parameter::kNibpSys, Parameter::kNibpDia, Parameter::kNibpMean},
    {"etco2", "EtCO₂", Parameter::kEtco2, std::nullopt, std::nullopt},
    {"rr", "RR", Parameter::kRr, std::nullopt, std::nullopt},
    {"temp", "Temp", Parameter::kTemp, std::nullopt, std::nullopt},
    {"pr", "PR", Parameter::kPr, std::nullopt, std::nullopt},
    {"bis", "BIS", Parameter::kBis, std::nullopt, std::nullopt},
};

// A numeric older than this shows as stale: NIBP is measured every few minutes, everything else streams.
std::chrono::seconds stale_after(Parameter p) {
  switch (p) {
    case Parameter::kNibpSys:
    case Parameter::kNibpDia:
    case Parameter::kNibpMean:
      return std::chrono::seconds{600};
    default:
      return std::chrono::seconds{10};
  }
}

}  // namespace

PatientVitals::PatientVitals(QObject* parent) : QObject(parent) {
  traces_fallback_.setSingleShot(true);
  traces_fallback_.setInterval(100);
  connect(&traces_fallback_, &QTimer::timeout, this, &PatientVitals::onPicture);
}

void PatientVitals::onPicture() {
  if (!traces_pending_) return;
  traces_pending_ = false;
  traces_fallback_.stop();
  emit tracesChanged();
}

void PatientVitals::apply(const vitals::VitalsUpdate& update) {
  bool numbers = false;
  for (const auto& s : update.numerics) {
    latest_[static_cast<std::size_t>(s.parameter)] = s;
    numbers = true;
  }
  if (update.alarms_changed) {
    alarms_ = update.alarms;
    numbers = true;
  }
  for (const auto& c : update.waveforms) {
    auto& trace = traces_[static_cast<std::size_t>(c.waveform)];
    if (c.sample_period.count() > 0)
      rates_[static_cast<std::size_t>(c.waveform)] = 1e9 / static_cast<double>(c.sample_period.count());
    trace.insert(trace.end(), c.samples.begin(), c.samples.end());
    const auto keep =
        static_cast<std::size_t>(kTraceSeconds * 1e9 / static_cast<double>(c.sample_period.count()));
    if (trace.size() > keep) trace.erase(trace.begin(), trace.end() - static_cast<std::ptrdiff_t>(keep));
  }
  if (numbers) {
    has_data_ = true;
    emit numericsChanged();
  }
  if (!update.waveforms.empty() && !traces_pending_) {
    traces_pending_ = true;
    traces_fallback_.start();
  }
}

void PatientVitals::tick(const session::ConsoleVitals& status) {
  stream_ = status.stream;
  age_ms_ = status.age_ms;
  // "No data" when nothing new came for 5 s: the monitor or its gateway stopped, not the patient.
  has_data_ = age_ms_ >= 0 && age_ms_ < 5000;
  if (age_ms_ < 0) {
    age_text_ = stream_ ? "waiting for the monitor" : "this OR sends no vitals";
  } else if (age_ms_ < 2000) {
    age_text_ = QString("data %1 s old").arg(age_ms_ / 1000.0, 0, 'f', 1);
  } else {
    age_text_ = QString("no new data for %1 s").arg(std::round(age_ms_ / 1000.0));
  }
  if (ticks_++ % 5 == 0) {
    for (const auto& p : vitals::all_parameters()) {
      const auto& s = latest_[static_cast<std::size_t>(p.parameter)];
      auto& trend = trends_[static_cast<std::size_t>(p.parameter)];
      trend.push_back(s && s->value ? *s->value : std::nan(""));
      if (trend.size() > kTrendPoints) trend.erase(trend.begin());
    }
  }
  emit numericsChanged();
}

QVariantList PatientVitals::numerics() const {
  QVariantList rows;
  const auto newest = std::max_element(latest_.begin(), latest_.end(), [](const auto& a, const auto& b) {
    return (a ? a->captured : core::CaptureTime{}) < (b ? b->captured : core::CaptureTime{});
  });
  const core::CaptureTime now_ref =
      (newest != latest_.end() && *newest) ? (*newest)->captured : core::CaptureTime{};
  auto text_of = [&](Parameter p) -> QString {
    const auto& s = latest_[static_cast<std::size_t>(p)];
    if (!s) return {};
    if (!s->value) return "--";
    return QString::number(*s->value, 'f', p == Parameter::kTemp ? 1 : 0);
  };
  auto in_alarm = [&](Parameter p) {
    return std::any_of(alarms_.begin(), alarms_.end(), [p](const auto& a) { return a.parameter == p; });
  };
  for (const auto& row : kRows) {
    const auto& main = latest_[static_cast<std::size_t>(row.main)];
    // Rows the source never sent stay hidden, except the core four that the mentor expects to see.
    const bool core_row = row.main == Parameter::kHr || row.main == Parameter::kSpo2 ||
                          row.main == Parameter::kAbpSys || row.main == Parameter::kEtco2;
    if (!main && !core_row) continue;
    QString value = text_of(row.main);
    if (row.second && !value.isEmpty()) value += "/" + text_of(*row.second);
    if (row.third && latest_[static_cast<std::size_t>(*row.third)]) value += " (" + text_of(*row.third) + ")";
    const bool alarm =
        in_alarm(row.main) || (row.second && in_alarm(*row.second)) || (row.third && in_alarm(*row.third));
    const bool stale = !main || now_ref - main->captured > stale_after(row.main) || !has_data_;
    QVariantList trend;
    for (const double v : trends_[static_cast<std::size_t>(row.main)])
      trend.append(std::isnan(v) ? QVariant() : v);
    rows.append(QVariantMap{
        {"key", row.key},
        {"label", row.label},
        {"value", value.isEmpty() ? QString("no data") : value},
        {"unit",
         QString::fromUtf8(vitals::info(vitals::info(row.main).unit).symbol.data(),
                           static_cast<int>(vitals::info(vitals::info(row.main).unit).symbol.size()))},
        {"alarm", alarm},
        {"stale", stale},
        {"trend", trend}});
  }
  return rows;
}

}  // namespace surgilink::console
