#include "surgilink/vitals/vitals_file_replay.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "surgilink/core/config.hpp"
#include "surgilink/vitals/unit_conversion.hpp"

namespace surgilink::vitals {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

const core::CaptureTime kStart{seconds{1'700'000'000}};

std::filesystem::path data_file(const std::string& name) {
  return std::filesystem::path(SURGILINK_TEST_DATA) / "vitals" / name;
}

// The samples of `p`, in order.
std::vector<NumericSample> of(const std::vector<NumericSample>& samples, Parameter p) {
  std::vector<NumericSample> out;
  std::copy_if(samples.begin(), samples.end(), std::back_inserter(out),
               [&](const NumericSample& s) { return s.parameter == p; });
  return out;
}

// The one sample of `p` captured at `at`.
NumericSample at(const std::vector<NumericSample>& samples, Parameter p, core::CaptureTime when) {
  for (const NumericSample& s : samples) {
    if (s.parameter == p && s.captured == when) return s;
  }
  ADD_FAILURE() << "no " << info(p).short_name << " at " << (when - kStart).count() << " ns";
  return {};
}

// Writes test files into a directory of its own and reads back construction errors.
class VitalsFileReplayFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("surgilink_vitals_file_replay_test_" + std::to_string(::getpid()) + "_" + test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::filesystem::path write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // The message of the error that reading `content` as file `name` throws ("" if none).
  std::string error_of(const std::string& name, const std::string& content) {
    const auto path = write(name, content);
    try {
      VitalsFileReplay replay(path, kStart);
      ADD_FAILURE() << name << " was accepted";
    } catch (const core::ConfigError& e) {
      return e.what();
    }
    return "";
  }

  // "PATH:LINE:" for a file written by write().
  std::string where(const std::string& name, int line) {
    return (dir_ / name).string() + ":" + std::to_string(line) + ":";
  }

  std::filesystem::path dir_;
};

TEST(VitalsFileReplay, CsvRowsBecomeSamplesAtTheirTimesInCanonicalUnits) {
  VitalsFileReplay replay(data_file("or_export_degf.csv"), kStart, false);
  const std::vector<NumericSample> all = replay.due(kStart, kStart + seconds{60});
  // 30 rows of hr, spo2, etco2 and rr; the cuff measured at t = 0 and 20, the thermometer at 0, 10 and 20.
  EXPECT_EQ(all.size(), 30u * 4 + 2 * 3 + 3);
  EXPECT_EQ(replay.samples_per_pass(), all.size());

  // Row t = 0 in parameter order, all captured at the recording start, without a source time.
  ASSERT_GE(all.size(), 8u);
  const std::vector<Parameter> first_row = {Parameter::kHr,      Parameter::kSpo2,     Parameter::kNibpSys,
                                            Parameter::kNibpDia, Parameter::kNibpMean, Parameter::kEtco2,
                                            Parameter::kRr,      Parameter::kTemp};
  const std::vector<double> first_values = {71, 98, 118, 76,
                                            90, 36, 13,  UnitConversion::fahrenheit_to_celsius(98.4)};
  for (std::size_t i = 0; i < first_row.size(); ++i) {
    EXPECT_EQ(all[i].parameter, first_row[i]) << i;
    EXPECT_EQ(all[i].value, first_values[i]) << i;
    EXPECT_EQ(all[i].unit, info(first_row[i]).unit) << i;
    EXPECT_EQ(all[i].captured, kStart) << i;
    EXPECT_EQ(all[i].source_time, std::nullopt) << i;
  }

  // Empty cells produce no sample: NIBP only where the cuff measured.
  const auto nibp = of(all, Parameter::kNibpSys);
  ASSERT_EQ(nibp.size(), 2u);
  EXPECT_EQ(nibp[1].captured, kStart + seconds{20});
  EXPECT_EQ(nibp[1].value, 121);

  // degF -> Cel.
  const auto temps = of(all, Parameter::kTemp);
  ASSERT_EQ(temps.size(), 3u);
  EXPECT_EQ(temps[1].captured, kStart + seconds{10});
  EXPECT_NEAR(*temps[1].value, 36.944, 0.001);
  EXPECT_EQ(temps[1].unit, Unit::kCelsius);

  EXPECT_EQ(at(all, Parameter::kHr, kStart + seconds{29}).value, 73);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const NumericSample& a, const NumericSample& b) {
    return a.captured < b.captured;
  }));
}

TEST(VitalsFileReplay, JsonLinesConvertKiloPascalAndKeepNullsAsNotAvailable) {
  VitalsFileReplay replay(data_file("gateway_kpa_nulls.jsonl"), kStart, false);
  const std::vector<NumericSample> all = replay.due(kStart, kStart + seconds{10});

  // t = 0.5 is half a second in, not a row's worth of seconds.
  const NumericSample half = at(all, Parameter::kEtco2, kStart + milliseconds{500});
  EXPECT_DOUBLE_EQ(*half.value, UnitConversion::kilopascal_to_mmhg(5.0));
  EXPECT_NEAR(*half.value, 37.5, 0.01);
  EXPECT_EQ(half.unit, Unit::kMmHg);

  EXPECT_EQ(at(all, Parameter::kTemp, kStart).value, 36.4);
  EXPECT_EQ(at(all, Parameter::kTemp, kStart).unit, Unit::kCelsius);
  EXPECT_EQ(at(all, Parameter::kHr, kStart + seconds{4}).value, 67);

  // null, plain or in a unit object: a sample that says "not available".
  const NumericSample spo2_off = at(all, Parameter::kSpo2, kStart + seconds{2});
  EXPECT_EQ(spo2_off.value, std::nullopt);
  EXPECT_EQ(spo2_off.unit, Unit::kPercent);
  EXPECT_EQ(at(all, Parameter::kPr, kStart + seconds{2}).value, std::nullopt);
  EXPECT_EQ(at(all, Parameter::kEtco2, kStart + seconds{3}).value, std::nullopt);
  EXPECT_NEAR(*at(all, Parameter::kAbpMean, kStart + seconds{3}).value, 84.0, 0.01);  // 11.2 kPa

  // Absent keys: no sample. spo2 at 0, 1, 2 (null), 3 (null), 4; none at 0.5.
  EXPECT_EQ(of(all, Parameter::kSpo2).size(), 5u);
  EXPECT_EQ(all.size(), 5u + 2 + 4 + 4 + 4 + 6);
}

TEST_F(VitalsFileReplayFiles, CsvAndJsonLinesOfTheSameRecordingReplayTheSame) {
  const auto csv = write("same.csv",
                         "t,etco2[kPa],temp[degF],hr,spo2\n"
                         "0,5.1,98.6,70,99\n"
                         "0.25,,,71,\n"
                         "1.5,4.9,,72,98\n");
  const auto jsonl =
      write("same.ndjson",
            "{\"t\": 0, \"hr\": 70, \"spo2\": 99, \"etco2\": {\"value\": 5.1, \"unit\": "
            "\"kPa\"}, \"temp\": {\"value\": 98.6, \"unit\": \"[degF]\"}}\n"
            "{\"t\": 0.25, \"hr\": 71}\n"
            "{\"spo2\": 98, \"t\": 1.5, \"etco2\": {\"unit\": \"kPa\", \"value\": 4.9}, \"hr\": 72}\n");
  VitalsFileReplay a(csv, kStart, false);
  VitalsFileReplay b(jsonl, kStart, false);
  const auto from_csv = a.due(kStart, kStart + seconds{5});
  EXPECT_EQ(from_csv.size(), 4u + 1 + 3);
  EXPECT_EQ(from_csv, b.due(kStart, kStart + seconds{5}));
  EXPECT_NEAR(*at(from_csv, Parameter::kTemp, kStart).value, 37.0, 1e-9);
}

TEST_F(VitalsFileReplayFiles, TheTimeColumnDecidesWhenEachRowIsDue) {
  // Uneven spacing and a column order with t last: replaying one row per second would get every check wrong.
  const auto file = write("uneven.csv",
                          "hr,t\n"
                          "60,0.25\n"
                          "61,0.75\n"
                          "62,7.5\n"
                          "63,7.5\n");
  VitalsFileReplay replay(file, kStart, false);
  EXPECT_TRUE(replay.due(kStart, kStart + milliseconds{250}).empty());
  const auto first_second = replay.due(kStart + milliseconds{250}, kStart + seconds{1});
  ASSERT_EQ(first_second.size(), 2u);
  EXPECT_EQ(first_second[0].captured, kStart + milliseconds{250});
  EXPECT_EQ(first_second[0].value, 60);
  EXPECT_EQ(first_second[1].captured, kStart + milliseconds{750});
  EXPECT_TRUE(replay.due(kStart + seconds{1}, kStart + milliseconds{7499}).empty());
  const auto later = replay.due(kStart + milliseconds{7499}, kStart + seconds{8});
  ASSERT_EQ(later.size(), 2u);  // two rows at the same t, in file order
  EXPECT_EQ(later[0].captured, kStart + milliseconds{7500});
  EXPECT_EQ(later[0].value, 62);
  EXPECT_EQ(later[1].value, 63);
  EXPECT_TRUE(replay.due(kStart + seconds{8}, kStart + seconds{100}).empty());  // no loop: done
}

TEST(VitalsFileReplay, HowTheTimeLineIsCutDoesNotMatter) {
  for (const char* name : {"or_export_degf.csv", "gateway_kpa_nulls.jsonl"}) {
    VitalsFileReplay whole(data_file(name), kStart);
    VitalsFileReplay pieces(data_file(name), kStart);
    const core::CaptureTime end = kStart + seconds{95};  // three passes and a bit
    const auto all = whole.due(kStart - seconds{1}, end);
    std::vector<NumericSample> joined;
    // 37 ms and then 1 ns cuts: neither divides the row spacing, and one cut lands right on a row.
    core::CaptureTime t = kStart - seconds{1};
    for (int i = 0; t < end; ++i) {
      const core::CaptureTime next = std::min(
          end,
          t + (i % 3 == 2 ? core::CaptureTime::duration{1} : core::CaptureTime::duration{milliseconds{37}}));
      const auto part = pieces.due(t, next);
      joined.insert(joined.end(), part.begin(), part.end());
      t = next;
    }
    EXPECT_EQ(joined, all) << name;
    EXPECT_EQ(pieces.produced_until(), end);
  }
}

TEST(VitalsFileReplay, LoopsWithThePeriodOfTheRows) {
  VitalsFileReplay replay(data_file("or_export_degf.csv"), kStart);
  EXPECT_TRUE(replay.loops());
  EXPECT_EQ(replay.period(), seconds{30});  // last t 29 + 1 s spacing
  const auto first = replay.due(kStart, kStart + seconds{30});
  const auto second = replay.due(kStart + seconds{30}, kStart + seconds{60});
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(second[i].parameter, first[i].parameter);
    EXPECT_EQ(second[i].value, first[i].value);
    EXPECT_EQ(second[i].captured, first[i].captured + seconds{30});
  }
  // A long gap skips whole passes and carries on in step: pass 100 starts at 3000 s.
  const auto much_later = replay.due(kStart + seconds{3000}, kStart + seconds{3001});
  ASSERT_EQ(much_later.size(), 8u);
  for (std::size_t i = 0; i < much_later.size(); ++i) {
    EXPECT_EQ(much_later[i].parameter, first[i].parameter);
    EXPECT_EQ(much_later[i].value, first[i].value);
    EXPECT_EQ(much_later[i].captured, kStart + seconds{3000});
  }
}

TEST(VitalsFileReplay, LoopPeriodUsesTheMedianSpacing) {
  // Spacings 0.5, 0.5, 1, 1, 1 (median 1 s) after the last t = 4 s.
  VitalsFileReplay replay(data_file("gateway_kpa_nulls.jsonl"), kStart);
  EXPECT_EQ(replay.period(), seconds{5});
  const auto samples = replay.due(kStart + seconds{5}, kStart + milliseconds{5500});
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples.front().captured, kStart + seconds{5});
  EXPECT_EQ(at(samples, Parameter::kHr, kStart + seconds{5}).value, 64);
}

TEST_F(VitalsFileReplayFiles, LoopPeriodForOneInstantOrAnEvenNumberOfSpacings) {
  EXPECT_EQ(VitalsFileReplay(write("one.csv", "t,hr\n2,70\n"), kStart).period(), seconds{3});
  EXPECT_EQ(VitalsFileReplay(write("same_t.csv", "t,hr\n0,70\n0,71\n"), kStart).period(), seconds{1});
  // Spacings 1 s and 2 s: median 1.5 s.
  EXPECT_EQ(VitalsFileReplay(write("two.csv", "t,hr\n0,70\n1,71\n3,72\n"), kStart).period(),
            milliseconds{4500});

  VitalsFileReplay one(dir_ / "one.csv", kStart);
  const auto samples = one.due(kStart, kStart + seconds{10});
  ASSERT_EQ(samples.size(), 3u);  // at 2, 5 and 8 s
  EXPECT_EQ(samples[2].captured, kStart + seconds{8});
}

TEST(VitalsFileReplay, WithoutLoopingTheReplayRunsDry) {
  VitalsFileReplay replay(data_file("or_export_degf.csv"), kStart, false);
  EXPECT_FALSE(replay.loops());
  EXPECT_EQ(replay.due(kStart, kStart + seconds{30}).size(), replay.samples_per_pass());
  EXPECT_TRUE(replay.due(kStart + seconds{30}, kStart + seconds{300}).empty());
}

TEST(VitalsFileReplay, SpansMoveForwardOnly) {
  VitalsFileReplay replay(data_file("or_export_degf.csv"), kStart);
  EXPECT_EQ(replay.produced_until(), kStart);
  const auto first = replay.due(kStart, kStart + seconds{2});
  EXPECT_EQ(first.size(), 8u + 4);
  EXPECT_TRUE(replay.due(kStart, kStart + seconds{2}).empty());               // asked again: already produced
  const auto overlap = replay.due(kStart + seconds{1}, kStart + seconds{3});  // only [2 s, 3 s) is new
  ASSERT_EQ(overlap.size(), 4u);
  EXPECT_EQ(overlap.front().captured, kStart + seconds{2});
  EXPECT_TRUE(replay.due(kStart + seconds{3}, kStart + seconds{3}).empty());
  EXPECT_TRUE(replay.due(kStart + seconds{5}, kStart + seconds{4}).empty());
  EXPECT_EQ(replay.produced_until(), kStart + seconds{3});
}

TEST(VitalsFileReplay, NothingIsDueBeforeTheStart) {
  VitalsFileReplay replay(data_file("or_export_degf.csv"), kStart);
  EXPECT_TRUE(replay.due(kStart - seconds{10}, kStart).empty());
  EXPECT_EQ(replay.due(kStart - seconds{10}, kStart + milliseconds{1}).size(), 8u);
}

TEST(VitalsFileReplay, ShippedExampleReplaysOneMinuteAtOneRowPerSecond) {
  VitalsFileReplay replay(
      std::filesystem::path(SURGILINK_TEST_DATA) / ".." / ".." / "configs" / "vitals-example.csv", kStart);
  EXPECT_EQ(replay.period(), seconds{60});
  const auto minute = replay.due(kStart, kStart + seconds{60});
  EXPECT_EQ(of(minute, Parameter::kHr).size(), 60u);
  EXPECT_EQ(of(minute, Parameter::kAbpMean).size(), 60u);
  EXPECT_EQ(of(minute, Parameter::kNibpMean).size(), 1u);
  for (const NumericSample& s : minute) EXPECT_TRUE(s.value.has_value()) << info(s.parameter).short_name;
}

// Every refused file names its path and line, and what is wrong.
TEST_F(VitalsFileReplayFiles, BadCsvNamesFileLineAndProblem) {
  struct Case {
    const char* content;
    int line;
    const char* problem;
  };
  const std::vector<Case> cases = {
      {"# comment\nt,hr,heart\n0,70,70\n", 2, "unknown column 'heart'"},
      {"t,hr\n0,70\n1,7O\n", 3, "value '7O' is not a finite number"},
      {"t,hr\n0,70\n1,nan\n", 3, "not a finite number"},
      {"t,hr\n0,70\nx,71\n", 3, "t 'x' is not a number"},
      {"t,hr\n0,70\n2,71\n\n1.5,72\n", 5, "time goes backwards: t 1.5 after t 2 on line 3"},
      {"t,hr\n-1,70\n", 2, "not a time in seconds"},
      {"t,temp[kPa]\n0,5\n", 1, "unit kPa does not fit temp"},
      {"t,etco2[%]\n0,5\n", 1, "unit % does not fit etco2"},
      {"t,temp[furlongs]\n0,5\n", 1, "unknown unit"},
      {"t,temp[degF\n0,5\n", 1, "expected name[unit]"},
      {"t[s],hr\n0,70\n", 1, "t is in seconds and takes no unit"},
      {"t,spo2\n0,98\n1,101\n", 3, "spo2 value 101 % is outside the plausible range"},
      {"t,temp[degF]\n0,98.6\n1,150\n", 3, "temp value 150 [degF] is outside the plausible range"},
      {"hr,spo2\n70,98\n", 1, "no 't' column"},
      {"t\n0\n", 1, "no parameter columns"},
      {"t,hr,hr[/min]\n0,70,70\n", 1, "column 'hr[/min]' appears twice"},
      {"t,hr,t\n0,70,0\n", 1, "column 't' appears twice"},
      {"t,hr,spo2\n0,70,98\n1,71\n", 3, "2 cells, but the header on line 1 has 3 columns"},
      {"t,hr\n0,70\n,71\n", 3, "t '' is not a number"},
      {"", 1, "empty file"},
      {"# only\n# comments\n", 2, "empty file"},
      {"# header only\nt,hr\n", 2, "a header but no rows"},
      {"t,hr,spo2\n0,,\n1,,\n", 2, "no samples"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string name = "bad" + std::to_string(i) + ".csv";
    const std::string message = error_of(name, cases[i].content);
    EXPECT_THAT(message, HasSubstr(where(name, cases[i].line))) << cases[i].content;
    EXPECT_THAT(message, HasSubstr(cases[i].problem)) << cases[i].content;
  }
}

TEST_F(VitalsFileReplayFiles, BadJsonLinesNameFileLineAndProblem) {
  struct Case {
    const char* content;
    int line;
    const char* problem;
  };
  const std::vector<Case> cases = {
      {"{\"t\": 0, \"hr\": 70}\n{\"t\": 1, \"heart\": 70}\n", 2, "unknown key 'heart'"},
      {"{\"t\": 0, \"hr\": \"70\"}\n", 1, "\"hr\": expected a number, null or"},
      {"{\"t\": 0, \"hr\": true}\n", 1, "expected a number"},
      {"{\"t\": \"0\", \"hr\": 70}\n", 1, "\"t\" is '\"0\"', not a number"},
      {"{\"hr\": 70}\n", 1, "no \"t\" key"},
      {"{\"t\": 2, \"hr\": 70}\n# note\n{\"t\": 1, \"hr\": 70}\n", 3,
       "time goes backwards: t 1 after t 2 on line 1"},
      {"{\"t\": 0, \"etco2\": {\"value\": 5, \"unit\": \"%\"}}\n", 1, "unit % does not fit etco2"},
      {"{\"t\": 0, \"temp\": {\"value\": 37, \"unit\": \"mmHg\"}}\n", 1, "unit mm[Hg] does not fit temp"},
      {"{\"t\": 0, \"temp\": {\"value\": 37, \"unit\": \"kelvins\"}}\n", 1, "unknown unit"},
      {"{\"t\": 0, \"temp\": {\"value\": 37, \"unit\": 1}}\n", 1, "\"unit\" is not a string"},
      {"{\"t\": 0, \"temp\": {\"unit\": \"Cel\"}}\n", 1, "no \"value\" key"},
      {"{\"t\": 0, \"temp\": {\"value\": 37, \"units\": \"Cel\"}}\n", 1, "unknown key 'units'"},
      {"{\"t\": 0, \"spo2\": 101}\n", 1, "outside the plausible range"},
      {"{\"t\": 0, \"etco2\": {\"value\": 25, \"unit\": \"kPa\"}}\n", 1, "outside the plausible range"},
      {"{\"t\": 0, \"hr\": 70}\n{\"t\": 1, \"hr\": 70\n", 2, "not valid JSON"},
      // Found by the vitals_file_replay fuzz target: a number too large for a double ended the program.
      {"{\"t\": 0, \"hr\": 4.2e222222}\n", 1,
       "not valid JSON: [json.exception.out_of_range.406] number overflow"},
      {"[{\"t\": 0, \"hr\": 70}]\n", 1, "expected one JSON object per line"},
      {"\n\n", 2, "empty file"},
      {"{\"t\": 0}\n", 1, "no samples"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string name = "bad" + std::to_string(i) + ".jsonl";
    const std::string message = error_of(name, cases[i].content);
    EXPECT_THAT(message, HasSubstr(where(name, cases[i].line))) << cases[i].content;
    EXPECT_THAT(message, HasSubstr(cases[i].problem)) << cases[i].content;
  }
}

// A hostile or corrupt file is refused with its line, never a crash: JSON nested a hundred thousand deep
// where a number belongs (printing it for the message must not recurse that deep).
TEST_F(VitalsFileReplayFiles, DeeplyNestedJsonIsRefusedNotACrash) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  EXPECT_THAT(error_of("deep_t.jsonl", "{\"t\": " + deep + "}\n"), HasSubstr(where("deep_t.jsonl", 1)));
  EXPECT_THAT(error_of("deep_value.jsonl", "{\"t\": 0, \"hr\": " + deep + "}\n"),
              HasSubstr("\"hr\": expected a number"));
  EXPECT_THAT(error_of("deep_object.jsonl", "{\"t\": 0, \"hr\": {\"value\": " + deep + "}}\n"),
              HasSubstr("\"hr\": expected a number"));
  EXPECT_THAT(error_of("deep_row.jsonl", deep + "\n"), HasSubstr("expected one JSON object per line"));
}

TEST_F(VitalsFileReplayFiles, FormatFollowsTheExtension) {
  const std::string row = "{\"t\": 0, \"hr\": 70}\n";
  for (const char* name : {"a.jsonl", "b.ndjson", "c.json", "D.JSONL"}) {
    EXPECT_EQ(VitalsFileReplay(write(name, row), kStart).samples_per_pass(), 1u) << name;
  }
  EXPECT_EQ(VitalsFileReplay(write("e.CSV", "t,hr\n0,70\n"), kStart).samples_per_pass(), 1u);
  // CRLF line ends and a byte order mark, as spreadsheets save CSV.
  EXPECT_EQ(VitalsFileReplay(write("f.csv", "\xEF\xBB\xBFt, hr\r\n0, 70\r\n"), kStart).samples_per_pass(),
            1u);

  const std::string message = error_of("vitals.txt", "t,hr\n0,70\n");
  EXPECT_THAT(message, HasSubstr("vitals.txt: unknown vitals file format '.txt'"));
  // A CSV that is really JSON lines is refused at its first line, not half read.
  EXPECT_THAT(error_of("wrong.csv", row), HasSubstr(where("wrong.csv", 1)));
}

TEST_F(VitalsFileReplayFiles, AMissingFileIsAConfigErrorNamingIt) {
  const auto missing = dir_ / "missing.csv";
  try {
    VitalsFileReplay replay(missing, kStart);
    FAIL() << "accepted a missing file";
  } catch (const std::runtime_error& e) {  // core::ConfigError is one
    EXPECT_THAT(e.what(), HasSubstr(missing.string() + ": cannot open"));
  }
}

}  // namespace
}  // namespace surgilink::vitals
