#pragma once
// Validated configuration files (TOML). Every program reads its settings through ConfigTable, so a bad file
// always fails the same way: a ConfigError naming the file, the line and the key.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace surgilink::core {

// Thrown at start-up for a missing, unparsable or invalid configuration file.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One table of a configuration file. Getters record which keys were read; finish() then rejects every key
// that nobody read, so a misspelt key is an error instead of a silently ignored setting.
// Not thread-safe: used once at start-up on the main thread.
class ConfigTable {
 public:
  // Loads and parses a file; throws ConfigError if it is missing or is not valid TOML.
  static ConfigTable load(const std::filesystem::path& file);
  // Parses text as if it were the named file (for tests and for built-in defaults).
  static ConfigTable parse(std::string_view text, const std::string& file_name);

  bool has(std::string_view key) const;
  std::string get_string(std::string_view key, const std::string& fallback);
  std::string require_string(std::string_view key);
  std::int64_t get_int(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  double get_double(std::string_view key, double fallback, double min, double max);
  bool get_bool(std::string_view key, bool fallback);
  // A duration given in milliseconds (keys end in _ms by convention).
  std::chrono::milliseconds get_ms(std::string_view key, std::chrono::milliseconds fallback,
                                   std::chrono::milliseconds min, std::chrono::milliseconds max);
  // A string that must be one of `allowed`.
  std::string get_choice(std::string_view key, const std::string& fallback,
                         const std::vector<std::string>& allowed);
  // An array of strings (["a", "b"]); an absent key yields none.
  std::vector<std::string> get_strings(std::string_view key);
  // A sub-table; an absent key yields an empty table.
  ConfigTable table(std::string_view key);
  // An array of tables ([[key]]); absent yields none.
  std::vector<ConfigTable> tables(std::string_view key);

  // Throws ConfigError for the first key in this table (and sub-tables taken from it) that was never read.
  void finish() const;

  // "file:line: key 'a.b': " prefix for messages about `key` in this table.
  std::string where(std::string_view key) const;
  const std::string& file_name() const;

  ~ConfigTable();
  ConfigTable(ConfigTable&&) noexcept;
  ConfigTable& operator=(ConfigTable&&) noexcept;

 private:
  struct State;
  explicit ConfigTable(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace surgilink::core
