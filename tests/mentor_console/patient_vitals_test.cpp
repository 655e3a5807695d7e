// The vitals panel's model: numbers published with the next picture, alarms at once, rows kept stable so the
// panel's delegates are not rebuilt on every update.
#include <gtest/gtest.h>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include "ui/patient_vitals.hpp"

namespace surgilink::console {
namespace {

using vitals::Parameter;

core::CaptureTime at_ms(int ms) { return core::CaptureTime{std::chrono::milliseconds{1'000'000 + ms}}; }

vitals::VitalsUpdate numbers(int ms, double hr, double spo2) {
  vitals::VitalsUpdate u;
  u.numerics.push_back(vitals::make_numeric_sample(Parameter::kHr, hr, at_ms(ms)));
  u.numerics.push_back(vitals::make_numeric_sample(Parameter::kSpo2, spo2, at_ms(ms)));
  return u;
}

// Records the rows and roles of each dataChanged signal, and counts resets.
struct RowSignals {
  explicit RowSignals(NumericRows& rows) {
    QObject::connect(&rows, &QAbstractItemModel::modelReset, [this] { ++resets; });
    QObject::connect(&rows, &QAbstractItemModel::dataChanged,
                     [this](const QModelIndex& from, const QModelIndex&, const QList<int>& roles) {
                       changed.emplace_back(from, roles);
                     });
  }
  int resets = 0;
  std::vector<std::pair<QModelIndex, QList<int>>> changed;
};

QString value_of(const NumericRows& rows, const QString& key) {
  for (int i = 0; i < rows.rowCount(); ++i) {
    const QModelIndex at = rows.index(i);
    if (rows.data(at, NumericRows::kKey).toString() == key)
      return rows.data(at, NumericRows::kValue).toString();
  }
  return "(no row)";
}

class PatientVitalsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    static int argc = 1;
    static char name[] = "patient_vitals_test";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) static QCoreApplication app(argc, argv);
  }
};

TEST_F(PatientVitalsTest, NumbersWaitForThePictureThenChangeOnlyTheirRows) {
  PatientVitals vitals;
  NumericRows& rows = *vitals.numerics();
  // The core four rows are there before any data, saying so.
  EXPECT_EQ(value_of(rows, "hr"), "no data");
  EXPECT_EQ(value_of(rows, "abp"), "no data");
  const int rows_before = rows.rowCount();

  RowSignals seen(rows);
  vitals.apply(numbers(0, 72, 98));
  EXPECT_EQ(value_of(rows, "hr"), "no data") << "published before the picture of the same moment";
  vitals.onPicture();
  EXPECT_EQ(value_of(rows, "hr"), "72");
  EXPECT_EQ(value_of(rows, "spo2"), "98");
  EXPECT_EQ(rows.rowCount(), rows_before);
  EXPECT_EQ(seen.resets, 0) << "rows rebuilt although the same parameters are shown";
  EXPECT_EQ(seen.changed.size(), 2u);  // hr and spo2 rows

  seen.changed.clear();
  vitals.apply(numbers(1000, 72, 97));
  vitals.onPicture();
  ASSERT_EQ(seen.changed.size(), 1u) << "only SpO2 changed";
  EXPECT_EQ(rows.data(seen.changed.front().first, NumericRows::kKey).toString(), "spo2");
  EXPECT_EQ(seen.changed.front().second, QList<int>{NumericRows::kValue});

  // A parameter the source never sent before adds its row (a rebuild).
  vitals::VitalsUpdate temp;
  temp.numerics.push_back(vitals::make_numeric_sample(Parameter::kTemp, 36.84, at_ms(1500)));
  vitals.apply(temp);
  vitals.onPicture();
  EXPECT_EQ(seen.resets, 1);
  EXPECT_EQ(value_of(rows, "temp"), "36.8");

  // Not available from the source: "--", not a number and not "no data".
  vitals::VitalsUpdate gone;
  gone.numerics.push_back(vitals::make_numeric_sample(Parameter::kHr, std::nullopt, at_ms(2000)));
  vitals.apply(gone);
  vitals.onPicture();
  EXPECT_EQ(value_of(rows, "hr"), "--");
}

TEST_F(PatientVitalsTest, AnAlarmIsShownAtOnceNotWithThePicture) {
  PatientVitals vitals;
  NumericRows& rows = *vitals.numerics();
  vitals.apply(numbers(0, 140, 98));
  vitals.onPicture();
  vitals::VitalsUpdate alarm;
  alarm.alarms_changed = true;
  alarm.alarms.push_back(vitals::ActiveAlarm{Parameter::kHr, vitals::AlarmCondition::kHigh, 120, at_ms(10)});
  vitals.apply(alarm);
  bool hr_alarm = false;
  for (int i = 0; i < rows.rowCount(); ++i) {
    if (rows.data(rows.index(i), NumericRows::kKey).toString() == "hr")
      hr_alarm = rows.data(rows.index(i), NumericRows::kAlarm).toBool();
  }
  EXPECT_TRUE(hr_alarm);
  EXPECT_TRUE(vitals.anyAlarm());
}

TEST_F(PatientVitalsTest, WaveformSamplesArePublishedWithThePicture) {
  PatientVitals vitals;
  int traces = 0;
  QObject::connect(&vitals, &PatientVitals::tracesChanged, [&] { ++traces; });
  vitals::VitalsUpdate u;
  vitals::WaveformChunk chunk;
  chunk.waveform = vitals::Waveform::kEcgII;
  chunk.first_sample = at_ms(0);
  chunk.samples.assign(20, 0.5f);
  u.waveforms.push_back(chunk);
  vitals.apply(u);
  vitals.apply(u);
  EXPECT_EQ(traces, 0);
  vitals.onPicture();
  EXPECT_EQ(traces, 1) << "two chunks, one redraw";
  EXPECT_EQ(vitals.trace(vitals::Waveform::kEcgII).size(), 40u);
  vitals.onPicture();
  EXPECT_EQ(traces, 1) << "nothing new, no redraw";
  // Without pictures (no video) the fallback timer publishes them.
  vitals.apply(u);
  QEventLoop loop;
  QObject::connect(&vitals, &PatientVitals::tracesChanged, &loop, &QEventLoop::quit);
  QTimer::singleShot(2000, &loop, &QEventLoop::quit);
  loop.exec();
  EXPECT_EQ(traces, 2);
}

}  // namespace
}  // namespace surgilink::console
