#pragma once
// The upward interface every vitals source (MLLP listener, simulator driver, file replay) calls.

#include <vector>

#include "surgilink/vitals/numeric_sample.hpp"

namespace surgilink::vitals {

// Implemented by the owner of a source. Called on the thread that runs the source (for MllpListener: the
// io_context thread); must not block.
class VitalsListener {
 public:
  virtual ~VitalsListener() = default;
  // Numerics accepted from one message (never empty), in canonical units.
  virtual void on_vitals(std::vector<NumericSample> samples) = 0;
};

}  // namespace surgilink::vitals
