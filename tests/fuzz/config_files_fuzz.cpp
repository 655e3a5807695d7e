// libFuzzer target: the programs' TOML configuration loaders (core/config.hpp and its readers): the sender's
// settings (sender_settings.hpp, with its [vitals.alarms] limits), the console's (console_settings.hpp)
// and the HL7 observation-code table (vitals/observation_code_map.hpp). Input: one byte choosing the loader
// (% 3: sender, console, codes), then the file. A loader either gives settings or throws core::ConfigError
// naming a file (the sender also std::invalid_argument); anything else escaping is a finding. The sender's
// file finds a valid access list "access.toml" and an empty code table "codes.toml" next to it.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/console_settings.hpp"
#include "fuzz_support.hpp"
#include "sender_settings.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/vitals/observation_code_map.hpp"

namespace {

const surgilink::fuzz::ScratchFile& scratch() {
  static const surgilink::fuzz::ScratchFile files;
  static const bool neighbours = [] {
    files.write("access.toml", "[[person]]\nfingerprint = \"sha256:" + std::string(64, 'a') +
                                   "\"\nname = \"Dr A\"\nrole = \"mentor\"\n");
    files.write("codes.toml", "");
    return true;
  }();
  (void)neighbours;
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  surgilink::fuzz::FuzzInput input(data, size);
  const std::uint8_t loader = input.byte() % 3;
  const auto file = scratch().write("config.toml", surgilink::fuzz::text_of(input.rest()));
  try {
    if (loader == 0) {
      try {
        (void)surgilink::sender::load_sender_settings(file, {});
      } catch (const std::invalid_argument&) {
      }
    } else if (loader == 1) {
      (void)surgilink::console::load_console_settings(file, {});
    } else {
      auto table = surgilink::core::ConfigTable::load(file);
      (void)surgilink::vitals::ObservationCodeMap::load(table);
      table.finish();
    }
  } catch (const surgilink::core::ConfigError& e) {
    // The message starts with the file it is about (this one, or the access list or code table it names).
    SURGILINK_FUZZ_CHECK(std::string(e.what()).starts_with(scratch().folder().string()));
  }
  return 0;
}
