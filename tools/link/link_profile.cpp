#include "link/link_profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "surgilink/core/config.hpp"

namespace surgilink::tools::link {

namespace {

using core::ConfigError;
using core::ConfigTable;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr double kMaxDelayMs = 10'000.0;
constexpr double kMaxRateMbit = 100'000.0;

microseconds from_ms(double ms) { return microseconds{std::llround(ms * 1000.0)}; }
double to_ms(microseconds us) { return static_cast<double>(us.count()) / 1000.0; }
// A number as people write it (25, 2.5, 0.1), for messages.
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// The keys of [link], [or_to_mentor] and [mentor_to_or]; an absent key keeps the value in `base`.
DirectionProfile parse_direction(ConfigTable table, const DirectionProfile& base) {
  DirectionProfile d = base;
  d.delay = from_ms(table.get_double("delay_ms", to_ms(base.delay), 0.0, kMaxDelayMs));
  d.jitter = from_ms(table.get_double("jitter_ms", to_ms(base.jitter), 0.0, kMaxDelayMs));
  if (d.jitter > d.delay) {
    throw ConfigError(table.where("jitter_ms") + "jitter (" + number(to_ms(d.jitter)) +
                      " ms) must not exceed delay_ms (" + number(to_ms(d.delay)) +
                      " ms): a packet cannot arrive before it was sent");
  }
  d.reorder = table.get_bool("reorder", base.reorder);
  d.loss = table.get_double("loss_percent", base.loss * 100.0, 0.0, 100.0) / 100.0;
  d.rate_bps = table.get_double("rate_mbit", base.rate_bps / 1e6, 0.0, kMaxRateMbit) * 1e6;
  d.queue = table.get_ms("queue_ms", base.queue, milliseconds{1}, milliseconds{10'000});
  auto burst = table.table("burst");
  d.burst.enter = burst.get_double("enter_percent", base.burst.enter * 100.0, 0.0, 100.0) / 100.0;
  d.burst.leave = burst.get_double("leave_percent", base.burst.leave * 100.0, 0.0, 100.0) / 100.0;
  d.burst.loss = burst.get_double("loss_percent", base.burst.loss * 100.0, 0.0, 100.0) / 100.0;
  if (d.burst.enter > 0.0 && d.burst.leave <= 0.0) {
    throw ConfigError(burst.where("leave_percent") +
                      "must be above 0 when enter_percent is: the link would stay in the bad state forever");
  }
  return d;
}

ScheduleStep parse_step(ConfigTable table, milliseconds period) {
  ScheduleStep step;
  const double at_s = table.get_double("at_s", -1.0, 0.0, 86'400.0);
  if (at_s < 0.0) throw ConfigError(table.where("at_s") + "is required but missing");
  step.at = milliseconds{std::llround(at_s * 1000.0)};
  if (period.count() > 0 && step.at >= period) {
    throw ConfigError(table.where("at_s") + "must be before the schedule's period_s (" +
                      number(static_cast<double>(period.count()) / 1000.0) + " s)");
  }
  if (table.has("rate_mbit")) step.rate_bps = table.get_double("rate_mbit", 0.0, 0.0, kMaxRateMbit) * 1e6;
  if (table.has("blackhole")) step.blackhole = table.get_bool("blackhole", false);
  if (!step.rate_bps && !step.blackhole) {
    throw ConfigError(table.where("at_s") + "a step must set rate_mbit or blackhole (or both)");
  }
  const auto direction = table.get_choice("direction", "both", {"both", "or_to_mentor", "mentor_to_or"});
  step.or_to_mentor = direction != "mentor_to_or";
  step.mentor_to_or = direction != "or_to_mentor";
  return step;
}

LinkProfile parse(ConfigTable root) {
  LinkProfile profile;
  profile.name = root.require_string("name");
  profile.description = root.get_string("description", "");
  const DirectionProfile both = parse_direction(root.table("link"), DirectionProfile{});
  profile.or_to_mentor = parse_direction(root.table("or_to_mentor"), both);
  profile.mentor_to_or = parse_direction(root.table("mentor_to_or"), both);
  auto schedule = root.table("schedule");
  profile.period = milliseconds{std::llround(schedule.get_double("period_s", 0.0, 0.0, 86'400.0) * 1000.0)};
  for (auto& step : schedule.tables("step"))
    profile.steps.push_back(parse_step(std::move(step), profile.period));
  std::stable_sort(profile.steps.begin(), profile.steps.end(),
                   [](const ScheduleStep& a, const ScheduleStep& b) { return a.at < b.at; });
  root.finish();
  return profile;
}

std::string describe(const DirectionProfile& d) {
  char line[256];
  std::snprintf(line, sizeof line, "delay %.1f ms ± %.1f ms%s, loss %.2f %%", to_ms(d.delay), to_ms(d.jitter),
                d.reorder ? " (may reorder)" : "", d.mean_loss() * 100.0);
  std::string text = line;
  if (d.burst.enter > 0.0) {
    std::snprintf(line, sizeof line, " (Gilbert-Elliott p %.2f %%, r %.1f %%, %.0f %% lost in the bad state)",
                  d.burst.enter * 100.0, d.burst.leave * 100.0, d.burst.loss * 100.0);
    text += line;
  }
  if (d.rate_bps > 0.0) {
    std::snprintf(line, sizeof line, ", rate %.2f Mbit/s, queue %lld ms", d.rate_bps / 1e6,
                  static_cast<long long>(d.queue.count()));
    text += line;
  } else {
    text += ", rate unlimited";
  }
  return text;
}

}  // namespace

const char* describe(Direction direction) {
  return direction == Direction::or_to_mentor ? "or→mentor" : "mentor→or";
}

double DirectionProfile::mean_loss() const {
  if (burst.enter <= 0.0) return loss;
  const double bad_share = burst.enter / (burst.enter + burst.leave);
  return (1.0 - bad_share) * loss + bad_share * burst.loss;
}

LinkProfile load_link_profile(const std::filesystem::path& file) { return parse(ConfigTable::load(file)); }

LinkProfile parse_link_profile(std::string_view text, const std::string& file_name) {
  return parse(ConfigTable::parse(text, file_name));
}

std::string summary(const LinkProfile& profile) {
  std::string text = "profile " + profile.name + ": or→mentor " + describe(profile.or_to_mentor) +
                     "; mentor→or " + describe(profile.mentor_to_or);
  if (!profile.steps.empty()) {
    text += "; " + std::to_string(profile.steps.size()) + " schedule steps";
    if (profile.period.count() > 0) {
      text += " every " + number(static_cast<double>(profile.period.count()) / 1000.0) + " s";
    }
  }
  return text;
}

}  // namespace surgilink::tools::link
