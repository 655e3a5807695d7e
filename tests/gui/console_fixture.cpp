// The one Qt application of the GUI test program (console_fixture.hpp).
#include "console_fixture.hpp"

namespace surgilink::console {

[[maybe_unused]] const auto* const kQtApplication =
    ::testing::AddGlobalTestEnvironment(new QtApplication("en"));

}  // namespace surgilink::console
