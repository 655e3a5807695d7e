#pragma once
// The version of the SurgiLink build, written into what it stores (a recording's manifest) so that a file
// says which software made it.

namespace surgilink::core {

// "SurgiLink 0.1.0" (the CMake project's version). Any thread.
const char* software_version();

}  // namespace surgilink::core
