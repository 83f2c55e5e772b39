// The resource reference: flattens each CRD's openAPIV3Schema into one Markdown table per kind.
#include "tools/crd-reference/crd_reference.h"

#include <set>
#include <sstream>
#include <stdexcept>

namespace kubedbt::tools {
namespace {

// The value of a required key, or an error naming the file and the key path.
YAML::Node require(const YAML::Node& node, const std::string& key, const std::string& where,
                   const std::string& source) {
  if (!node.IsMap() || !node[key]) {
    throw std::runtime_error(source + ": " + where + "." + key +
                             " is missing; is this a CustomResourceDefinition?");
  }
  return node[key];
}

std::string flow_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

// One line of text: folded and literal descriptions become single spaces.
std::string one_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// A table cell: one line, pipes escaped so they do not split the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : one_line(text)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string scalar(const YAML::Node& node, const std::string& key) {
  return node[key] && node[key].IsScalar() ? node[key].as<std::string>() : "";
}

bool is_map_type(const YAML::Node& schema) {
  return schema["additionalProperties"] && schema["additionalProperties"].IsMap();
}

std::string type_of(const YAML::Node& schema) {
  if (schema["x-kubernetes-int-or-string"] && schema["x-kubernetes-int-or-string"].as<bool>()) {
    return "int-or-string";
  }
  const std::string type = scalar(schema, "type");
  if (type == "array") return "[]" + (schema["items"] ? type_of(schema["items"]) : "any");
  if (type == "object" && is_map_type(schema)) {
    return "map[string]" + type_of(schema["additionalProperties"]);
  }
  if (type == "object" && !schema["properties"] && schema["x-kubernetes-preserve-unknown-fields"]) {
    return "object (free-form)";
  }
  const std::string format = scalar(schema, "format");
  return format.empty() ? type : type + " (" + format + ")";
}

std::string constraints_of(const YAML::Node& schema, bool required) {
  std::vector<std::string> parts;
  if (required) parts.push_back("required");
  if (schema["enum"]) {
    std::string values;
    for (const auto& v : schema["enum"]) {
      values += (values.empty() ? "" : ", ") + v.as<std::string>();
    }
    parts.push_back("one of: " + values);
  }
  const std::pair<const char*, const char*> bounds[] = {{"minimum", ">= "},
                                                        {"maximum", "<= "},
                                                        {"minLength", "length >= "},
                                                        {"maxLength", "length <= "},
                                                        {"minItems", "items >= "},
                                                        {"maxItems", "items <= "},
                                                        {"minProperties", "entries >= "},
                                                        {"maxProperties", "entries <= "}};
  for (const auto& [key, prefix] : bounds) {
    if (schema[key]) parts.push_back(prefix + schema[key].as<std::string>());
  }
  if (schema["pattern"]) parts.push_back("pattern `" + schema["pattern"].as<std::string>() + "`");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

class SchemaWalker {
 public:
  explicit SchemaWalker(KindDoc& kind) : kind_(kind) {}

  // Documents the properties of an object schema found at `path` (empty for the root).
  void properties(const YAML::Node& schema, const std::string& path, bool skip_object_meta) {
    rules(schema, path);
    if (!schema["properties"]) return;
    std::set<std::string> required;
    for (const auto& r : schema["required"]) required.insert(r.as<std::string>());
    for (const auto& entry : schema["properties"]) {
      const auto name = entry.first.as<std::string>();
      if (skip_object_meta && (name == "apiVersion" || name == "kind" || name == "metadata")) {
        continue;
      }
      field(entry.second, path.empty() ? name : path + "." + name, required.count(name) > 0);
    }
  }

 private:
  void field(const YAML::Node& schema, const std::string& path, bool required) {
    FieldDoc doc;
    doc.path = path;
    doc.type = type_of(schema);
    if (schema["default"]) doc.default_value = flow_yaml(schema["default"]);
    doc.constraints = constraints_of(schema, required);
    doc.description = one_line(scalar(schema, "description"));
    kind_.fields.push_back(doc);
    nested(schema, path);
  }

  // Fields below this one: an object's properties, a list's items, a map's values.
  void nested(const YAML::Node& schema, const std::string& path) {
    const std::string type = scalar(schema, "type");
    if (type == "array" && schema["items"]) {
      rules(schema, path);
      const auto items = schema["items"];
      if (items["properties"]) {
        properties(items, path + "[]", false);
      } else {
        nested(items, path + "[]");
      }
    } else if (type == "object" && is_map_type(schema)) {
      rules(schema, path);
      const auto values = schema["additionalProperties"];
      if (values["properties"]) {
        properties(values, path + ".<name>", false);
      } else {
        nested(values, path + ".<name>");
      }
    } else if (type == "object") {
      properties(schema, path, false);
    } else {
      rules(schema, path);
    }
  }

  void rules(const YAML::Node& schema, const std::string& path) {
    for (const auto& rule : schema["x-kubernetes-validations"]) {
      std::string message = scalar(rule, "message");
      if (message.empty()) message = "rule `" + scalar(rule, "rule") + "` (message computed)";
      const std::string field_path = scalar(rule, "fieldPath");
      std::string where = path.empty() ? kind_.kind : path;
      if (!field_path.empty()) where += field_path;
      kind_.rules.push_back({where, one_line(message)});
    }
  }

  KindDoc& kind_;
};

}  // namespace

KindDoc document_crd(const YAML::Node& crd, const std::string& source) {
  if (scalar(crd, "kind") != "CustomResourceDefinition") {
    throw std::runtime_error(source + ": kind is '" + scalar(crd, "kind") +
                             "', expected CustomResourceDefinition");
  }
  const auto spec = require(crd, "spec", "", source);
  const auto names = require(spec, "names", "spec", source);
  KindDoc doc;
  doc.kind = require(names, "kind", "spec.names", source).as<std::string>();
  doc.plural = require(names, "plural", "spec.names", source).as<std::string>();
  for (const auto& s : names["shortNames"]) doc.short_names.push_back(s.as<std::string>());
  const std::string group = require(spec, "group", "spec", source).as<std::string>();

  YAML::Node storage;
  for (const auto& version : require(spec, "versions", "spec", source)) {
    if (version["storage"] && version["storage"].as<bool>()) storage.reset(version);
  }
  if (!storage.IsMap()) {
    throw std::runtime_error(source + ": no entry of spec.versions has storage: true");
  }
  doc.group_version = group + "/" + storage["name"].as<std::string>();
  const auto schema = require(require(storage, "schema", "spec.versions[]", source),
                              "openAPIV3Schema", "spec.versions[].schema", source);
  doc.description = one_line(scalar(schema, "description"));
  SchemaWalker(doc).properties(schema, "", true);
  return doc;
}

std::string render_reference(const std::vector<KindDoc>& kinds) {
  std::ostringstream out;
  out << "# Resource reference\n\n"
      << "<!-- Generated from crds/*.yaml by kubedbt-crd-reference. Do not edit by hand: change "
         "the descriptions in crds/ and run `scripts/generate.sh` (or `ninja -C build generate`). "
         "-->\n\n"
      << "Every field of the kubedbt custom resources, from the descriptions in their "
         "CustomResourceDefinitions (`kubectl explain <kind>.<field>` prints the same text). "
         "A path segment `<name>` is a key of a map, `[]` an element of a list.\n\n";
  for (const auto& kind : kinds) {
    std::string anchor;
    for (char c : kind.kind) anchor += static_cast<char>(std::tolower(c));
    out << "- [" << kind.kind << "](#" << anchor << ")\n";
  }
  for (const auto& kind : kinds) {
    out << "\n## " << kind.kind << "\n\n`apiVersion: " << kind.group_version
        << "`, `kind: " << kind.kind << "`; `kubectl get " << kind.plural << "`";
    for (const auto& s : kind.short_names) out << " or `" << s << "`";
    out << ".\n\n" << kind.description << "\n\n";
    out << "| Field | Type | Default | Validation | Description |\n"
        << "| --- | --- | --- | --- | --- |\n";
    for (const auto& f : kind.fields) {
      out << "| `" << f.path << "` | `" << cell(f.type) << "` | "
          << (f.default_value.empty() ? "" : "`" + cell(f.default_value) + "`") << " | "
          << cell(f.constraints) << " | " << cell(f.description) << " |\n";
    }
    if (!kind.rules.empty()) {
      out << "\nRules checked when a " << kind.kind
          << " is applied (the API server refuses it with this message):\n\n";
      for (const auto& r : kind.rules) out << "- `" << r.path << "`: " << r.message << "\n";
    }
  }
  return out.str();
}

}  // namespace kubedbt::tools
