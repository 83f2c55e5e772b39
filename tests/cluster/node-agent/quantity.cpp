// Kubernetes resource quantities as numbers.
#include "tests/cluster/node-agent/quantity.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace kubedbt::node_agent {

long double parse_quantity(const std::string& text) {
  static const std::map<std::string, long double> kSuffixes = {
      {"", 1.0L},
      {"n", 1e-9L},
      {"u", 1e-6L},
      {"m", 1e-3L},
      {"k", 1e3L},
      {"M", 1e6L},
      {"G", 1e9L},
      {"T", 1e12L},
      {"P", 1e15L},
      {"E", 1e18L},
      {"Ki", 1024.0L},
      {"Mi", 1024.0L * 1024},
      {"Gi", 1024.0L * 1024 * 1024},
      {"Ti", 1024.0L * 1024 * 1024 * 1024},
      {"Pi", 1024.0L * 1024 * 1024 * 1024 * 1024},
      {"Ei", 1024.0L * 1024 * 1024 * 1024 * 1024 * 1024},
  };
  auto invalid = [&]() { return std::invalid_argument("invalid quantity \"" + text + "\""); };
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t digits_start = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  if (i == digits_start) throw invalid();
  long double number = 0;
  try {
    number = std::stold(text.substr(0, i));
  } catch (const std::exception&) {
    throw invalid();
  }
  std::string suffix = text.substr(i);
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1 &&
      (std::isdigit(static_cast<unsigned char>(suffix[1])) || suffix[1] == '-' ||
       suffix[1] == '+')) {
    std::size_t used = 0;
    int exponent = 0;
    try {
      exponent = std::stoi(suffix.substr(1), &used);
    } catch (const std::exception&) {
      throw invalid();
    }
    if (used + 1 != suffix.size()) throw invalid();
    return number * std::pow(10.0L, exponent);
  }
  auto found = kSuffixes.find(suffix);
  if (found == kSuffixes.end()) throw invalid();
  return number * found->second;
}

}  // namespace kubedbt::node_agent
