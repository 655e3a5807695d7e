#include "scripted_mentor.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <spdlog/spdlog.h>

namespace surgilink::console {

namespace {

using annotation::AnnotationKind;
using annotation::NormalisedPoint;

// One operation per tick: extend batches at the 16 ms a mentor's drag is batched at.
constexpr std::chrono::milliseconds kTick{16};
constexpr int kStrokeSteps = 12;   // ~0.2 s of dragging
constexpr int kPointerSteps = 20;  // ~0.3 s of pointing

float clamp01(float v) { return std::clamp(v, 0.02F, 0.98F); }

}  // namespace

ScriptedMentor::ScriptedMentor(boost::asio::io_context& io, session::ConsoleSession& session,
                               const media::LatestFrameMailbox& mailbox, std::size_t keep)
    : timer_(io), session_(session), mailbox_(mailbox), keep_(std::max<std::size_t>(1, keep)) {}

void ScriptedMentor::start() { tick(); }

void ScriptedMentor::stop() {
  stopped_ = true;
  timer_.cancel();
}

void ScriptedMentor::tick() {
  timer_.expires_after(kTick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    act();
    tick();
  });
}

bool ScriptedMentor::propose(const annotation::AnnotationOperation& op) {
  ++operations_;
  return session_.propose_annotation(op);
}

void ScriptedMentor::act() {
  const std::string author = session_.annotation_author();
  const auto picture = mailbox_.latest();
  // Not connected, nothing shown yet, or another console holds the pen: a mentor waits too.
  if (author.empty() || !picture || !session_.may_draw()) return;
  if (author != author_) {
    // A new connection: the sender's scene has none of ours any more under this name.
    author_ = author;
    live_.clear();
    drawing_.clear();
    steps_left_ = 0;
  }
  const float t = static_cast<float>(step_) / kStrokeSteps;
  if (steps_left_ > 0) {
    --steps_left_;
    ++step_;
    if (kind_ == AnnotationKind::kPointer) {
      annotation::Pointer p;
      p.position = {clamp01(centre_x_ + 0.1F * std::cos(6.28F * t)),
                    clamp01(centre_y_ + 0.1F * std::sin(6.28F * t))};
      p.reference_capture = picture->capture_time();
      propose(p);
      return;
    }
    if (steps_left_ == 0) {
      propose(annotation::Commit{drawing_});
      return;
    }
    // A stroke zigzags across ~10 % of the picture; an arrow's head and a circle's corner move outwards.
    const NormalisedPoint next =
        kind_ == AnnotationKind::kStroke
            ? NormalisedPoint{clamp01(centre_x_ - 0.05F + 0.1F * t),
                              clamp01(centre_y_ + 0.03F * std::sin(9.0F * t))}
            : NormalisedPoint{clamp01(centre_x_ + 0.08F * t), clamp01(centre_y_ + 0.06F * t)};
    propose(annotation::Extend{drawing_, {next}});
    return;
  }
  // Next shape: positions walk a grid over the middle 70 % of the picture.
  ++counter_;
  constexpr std::array<float, 5> kColumns{0.2F, 0.35F, 0.5F, 0.65F, 0.8F};
  constexpr std::array<float, 4> kRows{0.25F, 0.42F, 0.58F, 0.75F};
  centre_x_ = kColumns[counter_ % kColumns.size()];
  centre_y_ = kRows[(counter_ / kColumns.size()) % kRows.size()];
  step_ = 0;
  switch (counter_ % 5) {
    case 0:
      kind_ = AnnotationKind::kPointer;
      steps_left_ = kPointerSteps;
      return;
    case 1:
      kind_ = AnnotationKind::kArrow;
      break;
    case 2:
      kind_ = AnnotationKind::kEllipse;
      break;
    default:
      kind_ = AnnotationKind::kStroke;
      break;
  }
  if (live_.size() >= keep_) {
    propose(annotation::Delete{live_.front()});
    live_.pop_front();
  }
  annotation::Annotation draft;
  draft.id = author_ + "-" + std::to_string(counter_);
  draft.kind = kind_;
  const NormalisedPoint first{clamp01(centre_x_ - 0.05F), centre_y_};
  draft.points = kind_ == AnnotationKind::kStroke ? std::vector<NormalisedPoint>{first}
                                                  : std::vector<NormalisedPoint>{first, first};
  draft.colour_rgba = kind_ == AnnotationKind::kStroke ? 0x76FF03FF : 0x00E5FFFF;
  draft.width = 0.004F;
  draft.reference_capture = picture->capture_time();
  if (propose(annotation::Begin{draft})) {
    drawing_ = draft.id;
    live_.push_back(draft.id);
    steps_left_ = kStrokeSteps;
  }
}

}  // namespace surgilink::console
