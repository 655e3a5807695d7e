#include "patient_vitals.hpp"

#include <QVariantMap>

#include <algorithm>
#include <cmath>
#include "surgilink/vitals/vitals_row.hpp"

namespace surgilink::console {

namespace {

using vitals::Parameter;

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

int NumericRows::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant NumericRows::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= rowCount()) return {};
  const NumericRow& r = rows_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case kKey:
      return r.key;
    case kLabel:
      return r.label;
    case kValue:
      return r.value;
    case kUnit:
      return r.unit;
    case kAlarm:
      return r.alarm;
    case kStale:
      return r.stale;
    case kTrend:
      return r.trend;
    default:
      return {};
  }
}

QHash<int, QByteArray> NumericRows::roleNames() const {
  return {{kKey, "key"},     {kLabel, "label"}, {kValue, "value"}, {kUnit, "unit"},
          {kAlarm, "alarm"}, {kStale, "stale"}, {kTrend, "trend"}};
}

void NumericRows::assign(std::vector<NumericRow> rows) {
  const bool same_keys =
      rows.size() == rows_.size() && std::equal(rows.begin(), rows.end(), rows_.begin(),
                                                [](const auto& a, const auto& b) { return a.key == b.key; });
  if (!same_keys) {
    // A parameter appeared (rare): rebuild the rows.
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
    return;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    NumericRow& old = rows_[i];
    NumericRow& now = rows[i];
    QList<int> roles;
    if (old.value != now.value) roles << kValue;
    if (old.unit != now.unit) roles << kUnit;
    if (old.alarm != now.alarm) roles << kAlarm;
    if (old.stale != now.stale) roles << kStale;
    if (old.trend != now.trend) roles << kTrend;
    if (roles.isEmpty()) continue;
    old = std::move(now);
    const QModelIndex at = index(static_cast<int>(i));
    emit dataChanged(at, at, roles);
  }
}

PatientVitals::PatientVitals(QObject* parent) : QObject(parent) {
  publish_fallback_.setSingleShot(true);
  publish_fallback_.setInterval(100);
  connect(&publish_fallback_, &QTimer::timeout, this, &PatientVitals::onPicture);
  publish_numerics();
}

void PatientVitals::onPicture() {
  publish_fallback_.stop();
  if (numerics_pending_) publish_numerics();
  if (traces_pending_) {
    traces_pending_ = false;
    emit tracesChanged();
  }
}

void PatientVitals::apply(const vitals::VitalsUpdate& update) {
  bool numbers = false;
  for (const auto& s : update.numerics) {
    latest_[static_cast<std::size_t>(s.parameter)] = s;
    numbers = true;
  }
  bool alarms = false;
  if (update.alarms_changed) {
    alarms_ = update.alarms;
    alarms = true;
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
  if (numbers || alarms) has_data_ = true;
  if (alarms) {
    publish_numerics();  // an alarm is never held back
  } else if (numbers) {
    numerics_pending_ = true;
  }
  if (!update.waveforms.empty()) traces_pending_ = true;
  if ((numerics_pending_ || traces_pending_) && !publish_fallback_.isActive()) publish_fallback_.start();
}

void PatientVitals::tick(const session::ConsoleVitals& status) {
  stream_ = status.stream;
  set_age(status.age_ms);
  if (ticks_++ % 5 == 0) {
    for (const auto& p : vitals::all_parameters()) {
      const auto& s = latest_[static_cast<std::size_t>(p.parameter)];
      auto& trend = trends_[static_cast<std::size_t>(p.parameter)];
      trend.push_back(s && s->value ? *s->value : std::nan(""));
      if (trend.size() > kTrendPoints) trend.erase(trend.begin());
    }
  }
  publish_numerics();
}

void PatientVitals::set_age(std::optional<double> age_ms) {
  // "No data" when nothing new came for 5 s: the monitor or its gateway stopped, not the patient.
  has_data_ = age_ms && *age_ms < 5000;
  if (!age_ms) {
    age_text_ = stream_ ? tr("waiting for the monitor") : tr("this OR sends no vitals");
  } else if (*age_ms < 2000) {
    age_text_ = tr("data %1 s old").arg(*age_ms / 1000.0, 0, 'f', 1);
  } else {
    age_text_ = tr("no new data for %1 s").arg(std::round(*age_ms / 1000.0));
  }
}

void PatientVitals::showRecorded(
    const std::array<std::optional<vitals::NumericSample>,
                     static_cast<std::size_t>(vitals::Parameter::kCount)>& latest,
    const std::vector<vitals::ActiveAlarm>& alarms, std::optional<double> age_ms,
    const std::vector<vitals::WaveformChunk>& waveforms, bool waveforms_recorded) {
  latest_ = latest;
  alarms_ = alarms;
  stream_ = true;  // a recording holds what the sender streamed
  set_age(age_ms);
  publish_numerics();
  // The waveforms as the live panel draws them: the newest kTraceSeconds, newest at the right.
  for (auto& trace : traces_) trace.clear();
  for (const auto& c : waveforms) {
    if (c.sample_period.count() <= 0) continue;
    const auto w = static_cast<std::size_t>(c.waveform);
    rates_[w] = 1e9 / static_cast<double>(c.sample_period.count());
    const auto keep =
        static_cast<std::size_t>(kTraceSeconds * 1e9 / static_cast<double>(c.sample_period.count()));
    const std::size_t skip = c.samples.size() > keep ? c.samples.size() - keep : 0;
    traces_[w].assign(c.samples.begin() + static_cast<std::ptrdiff_t>(skip), c.samples.end());
  }
  trace_note_ = waveforms_recorded ? QString() : tr("no waveforms recorded");
  traces_pending_ = false;
  emit tracesChanged();
}

void PatientVitals::publish_numerics() {
  numerics_pending_ = false;
  std::vector<NumericRow> rows;
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
  for (const auto& row : vitals::all_rows()) {
    const auto& main = latest_[static_cast<std::size_t>(row.main)];
    // Rows the source never sent stay hidden, except the core four that the mentor expects to see.
    const bool core_row = row.main == Parameter::kHr || row.main == Parameter::kSpo2 ||
                          row.main == Parameter::kAbpSys || row.main == Parameter::kEtco2;
    if (!main && !core_row) continue;
    QString value = text_of(row.main);
    if (row.diastolic && !value.isEmpty()) value += "/" + text_of(*row.diastolic);
    if (row.mean && latest_[static_cast<std::size_t>(*row.mean)]) value += " (" + text_of(*row.mean) + ")";
    const bool alarm = in_alarm(row.main) || (row.diastolic && in_alarm(*row.diastolic)) ||
                       (row.mean && in_alarm(*row.mean));
    const bool stale = !main || now_ref - main->captured > stale_after(row.main) || !has_data_;
    QVariantList trend;
    for (const double v : trends_[static_cast<std::size_t>(row.main)])
      trend.append(std::isnan(v) ? QVariant() : v);
    const auto symbol = vitals::info(vitals::info(row.main).unit).symbol;
    rows.push_back(NumericRow{QString::fromUtf8(row.key.data(), static_cast<qsizetype>(row.key.size())),
                              QString::fromUtf8(row.label.data(), static_cast<qsizetype>(row.label.size())),
                              value.isEmpty() ? tr("no data") : value,
                              QString::fromUtf8(symbol.data(), static_cast<qsizetype>(symbol.size())), alarm,
                              stale, std::move(trend)});
  }
  rows_.assign(std::move(rows));
  emit numericsChanged();
}

}  // namespace surgilink::console
