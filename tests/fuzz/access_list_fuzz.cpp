// libFuzzer target: the sender's access list (session/access_list.hpp), read again on every SIGHUP from a
// file that people edit by hand. Input: the file. Loading either gives a list or throws core::ConfigError
// (naming the file first); anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/session/access_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const surgilink::fuzz::ScratchFile scratch;
  const auto path = scratch.write("access.toml", {reinterpret_cast<const char*>(data), size});
  try {
    (void)surgilink::session::AccessList::load(path);
  } catch (const surgilink::core::ConfigError& e) {
    SURGILINK_FUZZ_CHECK(std::string(e.what()).starts_with(path.string()));
  }
  return 0;
}
