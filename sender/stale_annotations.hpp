#pragma once
// Annotations that outlive their mentor (DESIGN.md §8: if the mentor link is lost, annotations expire): when
// a mentor leaves or is lost, that mentor's annotations fade out on the OR display over the configured time
// and are then removed, unless the OR keeps them with one touch. A mentor who comes back in time stops the
// fade.

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::sender {

// update/keep: the network thread; fading/opacity: any thread (the OR display's streaming thread reads them).
class StaleAnnotations {
 public:
  // `fade`: from the mentor's departure to the annotations' removal; 0: removed at once.
  explicit StaleAnnotations(std::chrono::milliseconds fade) : fade_(fade) {}

  // `present`: authors of the consoles connected now; `drawn`: authors with annotations in the scene.
  // Returns the authors whose annotations have faded out and are to be removed now.
  std::vector<std::string> update(const std::set<std::string>& present, const std::set<std::string>& drawn,
                                  core::CaptureTime now);
  // The OR keeps every fading annotation: they stay, fully drawn, until cleared or their author returns.
  // False when nothing was fading.
  bool keep();
  // Whether some departed mentor's annotations are fading now (the OR window offers KEEP).
  bool fading() const;
  // Multiplies the alpha of `author`'s annotations: 1 while the author is here or kept, falling to 0 at the
  // end of the fade.
  float opacity(const std::string& author, core::CaptureTime now) const;

 private:
  const std::chrono::milliseconds fade_;
  mutable std::mutex mutex_;
  std::map<std::string, core::CaptureTime> departed_;  // fading authors, from when
  std::set<std::string> kept_;
};

}  // namespace surgilink::sender
