#include "surgilink/core/config.hpp"

#include <toml++/toml.h>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace surgilink::core {

struct ConfigTable::State {
  std::shared_ptr<toml::table> root;  // keeps the parsed document alive for every sub-table
  const toml::table* table = nullptr;
  std::string file;
  std::string prefix;    // dotted path of this table, "" for the root
  std::size_t line = 1;  // where this table is (for an absent table: where its parent is)
  std::set<std::string, std::less<>> used;
  std::vector<std::shared_ptr<State>> children;
};

namespace {

std::string dotted(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "true or false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

}  // namespace

ConfigTable::ConfigTable(std::shared_ptr<State> state) : state_(std::move(state)) {}
ConfigTable::~ConfigTable() = default;
ConfigTable::ConfigTable(ConfigTable&&) noexcept = default;
ConfigTable& ConfigTable::operator=(ConfigTable&&) noexcept = default;

ConfigTable ConfigTable::parse(std::string_view text, const std::string& file_name) {
  auto state = std::make_shared<State>();
  state->file = file_name;
  try {
    state->root = std::make_shared<toml::table>(toml::parse(text, file_name));
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << file_name << ":" << e.source().begin.line << ": " << e.description();
    throw ConfigError(msg.str());
  }
  state->table = state->root.get();
  return ConfigTable(std::move(state));
}

ConfigTable ConfigTable::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot open configuration file (missing or unreadable)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), file.string());
}

const std::string& ConfigTable::file_name() const { return state_->file; }

std::string ConfigTable::where(std::string_view key) const {
  std::ostringstream msg;
  msg << state_->file << ":";
  const toml::node* node = state_->table->get(key);
  const auto line = node ? static_cast<std::size_t>(node->source().begin.line) : state_->line;
  msg << line << ": key '" << dotted(state_->prefix, key) << "': ";
  return msg.str();
}

bool ConfigTable::has(std::string_view key) const { return state_->table->contains(key); }

namespace {

template <typename T>
const toml::value<T>* typed(const toml::table& table, std::string_view key, const ConfigTable& self,
                            toml::node_type expected) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return nullptr;
  if constexpr (std::is_same_v<T, double>) {
    // Accept 1 where 1.0 is meant: people write integers for numbers.
    if (node->is_integer()) return nullptr;
  }
  const auto* value = node->as<T>();
  if (value == nullptr) {
    throw ConfigError(self.where(key) + "expected " + type_name(expected) + ", found " +
                      type_name(node->type()));
  }
  return value;
}

}  // namespace

std::string ConfigTable::get_string(std::string_view key, const std::string& fallback) {
  state_->used.emplace(key);
  const auto* v = typed<std::string>(*state_->table, key, *this, toml::node_type::string);
  return v ? v->get() : fallback;
}

std::string ConfigTable::require_string(std::string_view key) {
  if (!has(key)) throw ConfigError(where(key) + "is required but missing");
  return get_string(key, {});
}

std::int64_t ConfigTable::get_int(std::string_view key, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) {
  state_->used.emplace(key);
  const auto* v = typed<std::int64_t>(*state_->table, key, *this, toml::node_type::integer);
  if (!v) return fallback;
  const std::int64_t value = v->get();
  if (value < min || value > max) {
    throw ConfigError(where(key) + "value " + std::to_string(value) + " is outside " + std::to_string(min) +
                      ".." + std::to_string(max));
  }
  return value;
}

double ConfigTable::get_double(std::string_view key, double fallback, double min, double max) {
  state_->used.emplace(key);
  double value = fallback;
  if (const toml::node* node = state_->table->get(key); node && node->is_integer()) {
    value = static_cast<double>(node->as_integer()->get());
  } else if (const auto* v = typed<double>(*state_->table, key, *this, toml::node_type::floating_point)) {
    value = v->get();
  } else {
    return fallback;
  }
  if (!std::isfinite(value) || value < min || value > max) {
    std::ostringstream msg;
    msg << where(key) << "value " << value << " is outside " << min << ".." << max;
    throw ConfigError(msg.str());
  }
  return value;
}

bool ConfigTable::get_bool(std::string_view key, bool fallback) {
  state_->used.emplace(key);
  const auto* v = typed<bool>(*state_->table, key, *this, toml::node_type::boolean);
  return v ? v->get() : fallback;
}

std::chrono::milliseconds ConfigTable::get_ms(std::string_view key, std::chrono::milliseconds fallback,
                                              std::chrono::milliseconds min, std::chrono::milliseconds max) {
  return std::chrono::milliseconds{get_int(key, fallback.count(), min.count(), max.count())};
}

std::string ConfigTable::get_choice(std::string_view key, const std::string& fallback,
                                    const std::vector<std::string>& allowed) {
  std::string value = get_string(key, fallback);
  for (const auto& a : allowed) {
    if (a == value) return value;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw ConfigError(where(key) + "'" + value + "' is not one of: " + list);
}

std::vector<std::string> ConfigTable::get_strings(std::string_view key) {
  state_->used.emplace(key);
  std::vector<std::string> out;
  const toml::node* node = state_->table->get(key);
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    throw ConfigError(where(key) + "expected an array of strings, found " + type_name(node->type()));
  }
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      throw ConfigError(where(key) + "every element must be a string, found " + type_name(element.type()));
    }
    out.push_back(text->get());
  }
  return out;
}

ConfigTable ConfigTable::table(std::string_view key) {
  state_->used.emplace(key);
  auto child = std::make_shared<State>();
  child->root = state_->root;
  child->file = state_->file;
  child->prefix = dotted(state_->prefix, key);
  if (const toml::node* node = state_->table->get(key)) {
    if (!node->is_table())
      throw ConfigError(where(key) + "expected a table, found " + type_name(node->type()));
    child->table = node->as_table();
    child->line = node->source().begin.line;
  } else {
    static const toml::table kEmpty;
    child->table = &kEmpty;
    child->line = state_->line;
  }
  state_->children.push_back(child);
  return ConfigTable(std::move(child));
}

std::vector<ConfigTable> ConfigTable::tables(std::string_view key) {
  state_->used.emplace(key);
  std::vector<ConfigTable> out;
  const toml::node* node = state_->table->get(key);
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr)
    throw ConfigError(where(key) + "expected an array of tables ([[" + std::string(key) + "]])");
  std::size_t index = 0;
  for (const toml::node& element : *array) {
    if (!element.is_table()) throw ConfigError(where(key) + "every element must be a table");
    auto child = std::make_shared<State>();
    child->root = state_->root;
    child->file = state_->file;
    child->prefix = dotted(state_->prefix, key) + "[" + std::to_string(index++) + "]";
    child->table = element.as_table();
    child->line = element.source().begin.line;
    state_->children.push_back(child);
    out.push_back(ConfigTable(std::move(child)));
  }
  return out;
}

void ConfigTable::finish() const {
  for (const auto& [key, node] : *state_->table) {
    if (!state_->used.contains(key.str())) {
      std::ostringstream msg;
      msg << state_->file << ":" << node.source().begin.line << ": key '" << dotted(state_->prefix, key.str())
          << "': unknown setting (misspelt, or not valid here)";
      throw ConfigError(msg.str());
    }
  }
  for (const auto& child : state_->children) ConfigTable(child).finish();
}

}  // namespace surgilink::core
