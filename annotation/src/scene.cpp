#include "surgilink/annotation/scene.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <utility>

#include "text.hpp"

namespace surgilink::annotation {

const Annotation* Scene::find(std::string_view id) const {
  for (const auto& a : annotations) {
    if (a->id == id) return a.get();
  }
  return nullptr;
}

bool Scene::operator==(const Scene& other) const {
  return version == other.version &&
         std::equal(annotations.begin(), annotations.end(), other.annotations.begin(),
                    other.annotations.end(), [](const auto& a, const auto& b) { return *a == *b; });
}

namespace {

using core::Fault;
using detail::quoted;

Refusal malformed(std::string reason) { return refuse(Fault::kMalformed, std::move(reason)); }

std::string point_text(NormalisedPoint p) {
  return "(" + std::to_string(p.x) + ", " + std::to_string(p.y) + ")";
}

// Rules that apply one operation to a scene under construction. The scene's annotations are shared with the
// previous state, so a changed annotation is replaced by a new one, never modified.
class SceneRules {
 public:
  SceneRules(Scene& scene, const SequencedOperation& op) : scene_(scene), op_(op) {}

  Checked<void> operator()(const Begin& begin) {
    const Annotation& draft = begin.draft;
    if (!draft.author.empty() && draft.author != op_.author) {
      return refuse(Fault::kNotAuthorised, "begin: draft author " + quoted(draft.author) +
                                               " is not the sender of it, " + quoted(op_.author));
    }
    if (!is_drawing_id_of(draft.id, op_.author)) {
      const std::string own_prefix = op_.author + "-";
      if (draft.id.compare(0, own_prefix.size(), own_prefix) == 0) {
        return malformed("begin: id " + quoted(draft.id) + " is not " + op_.author + "-<counter>");
      }
      return refuse(Fault::kNotAuthorised, "begin: id " + quoted(draft.id) +
                                               " does not carry the author's prefix " + quoted(own_prefix));
    }
    if (scene_.find(draft.id) != nullptr)
      return malformed("begin: id " + quoted(draft.id) + " is already in use");
    if (auto shape = check_shape(draft); shape.has_error()) return shape.error();

    auto created = std::make_shared<Annotation>(draft);
    created->author = op_.author;
    created->created_at = op_.applied_at;
    created->committed = false;
    scene_.annotations.push_back(std::move(created));
    return boost::outcome_v2::success();
  }

  Checked<void> operator()(const Extend& extend) {
    auto found = own_open("extend", extend.id);
    if (found.has_error()) return found.error();
    const Annotation& current = *scene_.annotations[found.value()];
    if (current.kind != AnnotationKind::kStroke && current.kind != AnnotationKind::kArrow &&
        current.kind != AnnotationKind::kEllipse) {
      return malformed("extend: " + quoted(extend.id) + " is a " + describe(current.kind) +
                       ", which takes no points");
    }
    if (extend.points.empty()) return malformed("extend: " + quoted(extend.id) + " got no points");
    if (auto on_frame = check_points("extend", extend.points); on_frame.has_error()) return on_frame.error();

    auto extended = std::make_shared<Annotation>(current);
    if (current.kind == AnnotationKind::kStroke) {
      extended->points.insert(extended->points.end(), extend.points.begin(), extend.points.end());
    } else {
      extended->points.back() = extend.points.back();  // the drag end moves the head / far corner
    }
    scene_.annotations[found.value()] = std::move(extended);
    return boost::outcome_v2::success();
  }

  Checked<void> operator()(const Commit& commit) {
    auto found = own_open("commit", commit.id);
    if (found.has_error()) return found.error();
    auto committed = std::make_shared<Annotation>(*scene_.annotations[found.value()]);
    committed->committed = true;
    scene_.annotations[found.value()] = std::move(committed);
    return boost::outcome_v2::success();
  }

  Checked<void> operator()(const Delete& del) {
    auto found = own("delete", del.id);
    if (found.has_error()) return found.error();
    scene_.annotations.erase(scene_.annotations.begin() + static_cast<std::ptrdiff_t>(found.value()));
    return boost::outcome_v2::success();
  }

  Checked<void> operator()(const Undo&) {
    auto& all = scene_.annotations;
    const auto last = std::find_if(all.rbegin(), all.rend(), [this](const auto& a) {
      return a->author == op_.author && a->kind != AnnotationKind::kPointer;
    });
    if (last == all.rend()) return malformed("undo: " + quoted(op_.author) + " has no annotation to undo");
    all.erase(std::next(last).base());
    return boost::outcome_v2::success();
  }

  Checked<void> operator()(const Clear& clear) {
    switch (clear.scope) {
      case ClearScope::kMine:
        std::erase_if(scene_.annotations, [this](const auto& a) { return a->author == op_.author; });
        return boost::outcome_v2::success();
      case ClearScope::kAll:
        scene_.annotations.clear();
        return boost::outcome_v2::success();
    }
    return malformed("clear: unknown scope " + std::to_string(static_cast<int>(clear.scope)));
  }

  Checked<void> operator()(const Pointer& pointer) {
    if (!is_on_frame(pointer.position)) {
      return malformed("pointer: position " + point_text(pointer.position) + " is not on the frame [0, 1]");
    }
    const std::string id = pointer_id(op_.author);
    std::erase_if(scene_.annotations, [&id](const auto& a) { return a->id == id; });
    auto shown = std::make_shared<Annotation>();
    shown->id = id;
    shown->author = op_.author;
    shown->kind = AnnotationKind::kPointer;
    shown->points = {pointer.position};
    shown->colour_rgba = pointer.colour_rgba;
    shown->width = kPointerWidth;
    shown->created_at = op_.applied_at;
    shown->reference_capture = pointer.reference_capture;
    shown->time_to_live = kPointerTimeToLive;
    shown->committed = true;
    scene_.annotations.push_back(std::move(shown));  // on top: it is what the mentor points at now
    return boost::outcome_v2::success();
  }

 private:
  // Index of `id` if it exists and belongs to the operation's author.
  Checked<std::size_t> own(const char* what, const std::string& id) const {
    const auto& all = scene_.annotations;
    const auto it = std::find_if(all.begin(), all.end(), [&id](const auto& a) { return a->id == id; });
    if (it == all.end()) return malformed(std::string(what) + ": no annotation " + quoted(id));
    if ((*it)->author != op_.author) {
      return refuse(Fault::kNotAuthorised, std::string(what) + ": " + quoted(id) + " belongs to " +
                                               quoted((*it)->author) + ", not " + quoted(op_.author));
    }
    return static_cast<std::size_t>(it - all.begin());
  }

  // Same, and not committed yet.
  Checked<std::size_t> own_open(const char* what, const std::string& id) const {
    auto found = own(what, id);
    if (found.has_error()) return found;
    if (scene_.annotations[found.value()]->committed) {
      return malformed(std::string(what) + ": " + quoted(id) + " is already committed");
    }
    return found;
  }

  static Checked<void> check_points(const char* what, std::span<const NormalisedPoint> points) {
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!is_on_frame(points[i])) {
        return malformed(std::string(what) + ": point " + std::to_string(i) + " " + point_text(points[i]) +
                         " is not on the frame [0, 1]");
      }
    }
    return boost::outcome_v2::success();
  }

  static Checked<void> check_shape(const Annotation& a) {
    const std::size_t n = a.points.size();
    switch (a.kind) {
      case AnnotationKind::kStroke:
        if (n == 0) return malformed("begin: a stroke needs at least one point");
        break;
      case AnnotationKind::kArrow:
      case AnnotationKind::kEllipse:
        if (n != 2) {
          return malformed(std::string("begin: an ") + describe(a.kind) + " needs exactly 2 points, got " +
                           std::to_string(n));
        }
        break;
      case AnnotationKind::kLabel:
        if (n != 1) return malformed("begin: a label needs exactly 1 point, got " + std::to_string(n));
        break;
      case AnnotationKind::kPointer:
        return malformed("begin: pointers are shown with a pointer operation, not begun");
      default:
        return malformed("begin: unknown annotation kind " + std::to_string(static_cast<int>(a.kind)));
    }
    if (auto on_frame = check_points("begin", a.points); on_frame.has_error()) return on_frame.error();
    if (!(a.width >= kMinWidth && a.width <= kMaxWidth)) {
      return malformed("begin: width " + std::to_string(a.width) + " is outside [" +
                       std::to_string(kMinWidth) + ", " + std::to_string(kMaxWidth) +
                       "] of the frame height");
    }
    if (a.kind == AnnotationKind::kLabel) {
      const auto chars = detail::visible_code_points(a.text);
      if (!chars) return malformed("begin: label text is not one line of UTF-8");
      if (*chars == 0) return malformed("begin: label text is empty");
    } else if (!a.text.empty()) {
      return malformed(std::string("begin: a ") + describe(a.kind) + " has no text");
    }
    if (a.time_to_live && (a.time_to_live->count() <= 0 || *a.time_to_live > kMaxTimeToLive)) {
      return malformed("begin: time to live " + std::to_string(a.time_to_live->count()) +
                       " ns is not within (0, 1 h]");
    }
    return boost::outcome_v2::success();
  }

  Scene& scene_;
  const SequencedOperation& op_;
};

}  // namespace

Checked<Scene> apply_operation(const Scene& scene, const SequencedOperation& op) {
  Scene next = scene;
  auto applied = std::visit(SceneRules(next, op), op.op);
  if (applied.has_error()) return applied.error();
  next.version = op.sequence;
  return next;
}

std::optional<Scene> without_expired(const Scene& scene, core::CaptureTime now) {
  const auto expired = [now](const auto& a) { return a->expired_at(now); };
  if (std::none_of(scene.annotations.begin(), scene.annotations.end(), expired)) return std::nullopt;
  Scene next = scene;
  std::erase_if(next.annotations, expired);
  return next;
}

}  // namespace surgilink::annotation
