#pragma once
// The Gilbert–Elliott loss model: a two-state Markov chain (good, bad) drawn once per packet, each state
// with its own loss probability. Random loss alone is the good state with no way into the bad one. One
// thread; the caller owns the random engine, so tests fix its seed.

#include <random>

#include "link/link_profile.hpp"

namespace surgilink::tools::link {

class GilbertElliott {
 public:
  // `good_loss`: loss probability in the good state; `burst`: the bad state (burst.enter == 0: none).
  GilbertElliott(double good_loss, const BurstLoss& burst) : good_loss_(good_loss), burst_(burst) {}

  // For one packet: first the state may change, then the packet is lost with the state's probability.
  // True: lose this packet.
  bool lose(std::mt19937_64& random) {
    if (bad_) {
      if (draw(random) < burst_.leave) bad_ = false;
    } else if (burst_.enter > 0.0 && draw(random) < burst_.enter) {
      bad_ = true;
    }
    const double loss = bad_ ? burst_.loss : good_loss_;
    return loss > 0.0 && draw(random) < loss;
  }

  bool in_bad_state() const { return bad_; }

 private:
  static double draw(std::mt19937_64& random) {
    return std::uniform_real_distribution<double>{0.0, 1.0}(random);
  }

  double good_loss_;
  BurstLoss burst_;
  bool bad_ = false;
};

}  // namespace surgilink::tools::link
