// The resource reference: every field of a CustomResourceDefinition's schema, as Markdown.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace kubedbt::tools {

// One field of a kind's schema, flattened to its path (spec.targets.<name>.host, spec.env[].name).
struct FieldDoc {
  std::string path;
  std::string type;           // string, integer (int64), []string, map[string]object, int-or-string
  std::string default_value;  // flow YAML of `default`, empty when there is none
  std::string constraints;    // required, enum, ranges, lengths, pattern
  std::string description;
};

// A CEL rule of the schema, with the path of the object it is declared on.
struct RuleDoc {
  std::string path;
  std::string message;
};

// One kind, from the served storage version of its CRD.
struct KindDoc {
  std::string kind;
  std::string group_version;  // kubedbt.io/v1alpha1
  std::string plural;
  std::vector<std::string> short_names;
  std::string description;
  std::vector<FieldDoc> fields;
  std::vector<RuleDoc> rules;
};

// Reads a CustomResourceDefinition; `source` (a file name) goes into error messages.
// Throws std::runtime_error naming the source and the missing key.
KindDoc document_crd(const YAML::Node& crd, const std::string& source);

// The whole reference document, one section per kind in the given order.
std::string render_reference(const std::vector<KindDoc>& kinds);

}  // namespace kubedbt::tools
