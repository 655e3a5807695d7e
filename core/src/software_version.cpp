#include "surgilink/core/software_version.hpp"

namespace surgilink::core {

const char* software_version() { return "SurgiLink " SURGILINK_VERSION; }

}  // namespace surgilink::core
