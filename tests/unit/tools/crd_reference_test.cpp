// Unit tests of the resource reference generator: paths, types, defaults, validation, rules.
#include "tools/crd-reference/crd_reference.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace kubedbt::tools {
namespace {

using ::testing::HasSubstr;

const char* kCrd = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.io}
spec:
  group: example.io
  names: {kind: Widget, plural: widgets, shortNames: [wd]}
  versions:
    - name: v1beta1
      storage: false
      schema: {openAPIV3Schema: {type: object, description: old}}
    - name: v1
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: A widget.
          x-kubernetes-validations:
            - rule: self.metadata.name.size() <= 10
              message: name too long
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [size]
              properties:
                size:
                  type: integer
                  format: int32
                  minimum: 1
                  maximum: 9
                  description: "How big | in units."
                commands:
                  type: array
                  maxItems: 5
                  default: [build]
                  items: {type: string}
                mode:
                  type: string
                  enum: [Fast, Slow]
                  default: Fast
                targets:
                  type: object
                  additionalProperties:
                    type: object
                    x-kubernetes-validations:
                      - rule: has(self.host)
                        fieldPath: .host
                        message: set host
                    properties:
                      host: {type: string, description: "The host\nname."}
                env:
                  type: array
                  items:
                    type: object
                    properties:
                      name: {type: string, pattern: '^[A-Z]+$'}
                vars: {type: object, x-kubernetes-preserve-unknown-fields: true}
                quantity: {anyOf: [{type: integer}, {type: string}], x-kubernetes-int-or-string: true}
)";

const FieldDoc& field(const KindDoc& doc, const std::string& path) {
  for (const auto& f : doc.fields) {
    if (f.path == path) return f;
  }
  throw std::runtime_error("no field " + path);
}

TEST(CrdReference, UsesTheStorageVersionAndSkipsObjectMeta) {
  auto doc = document_crd(YAML::Load(kCrd), "widgets.yaml");
  EXPECT_EQ(doc.kind, "Widget");
  EXPECT_EQ(doc.group_version, "example.io/v1");
  EXPECT_EQ(doc.description, "A widget.");
  EXPECT_THROW(field(doc, "metadata"), std::runtime_error);
  EXPECT_THROW(field(doc, "apiVersion"), std::runtime_error);
}

TEST(CrdReference, FlattensObjectsListsAndMapsIntoPaths) {
  auto doc = document_crd(YAML::Load(kCrd), "widgets.yaml");
  std::vector<std::string> paths;
  for (const auto& f : doc.fields) paths.push_back(f.path);
  EXPECT_THAT(paths, ::testing::ElementsAre("spec", "spec.size", "spec.commands", "spec.mode",
                                            "spec.targets", "spec.targets.<name>.host", "spec.env",
                                            "spec.env[].name", "spec.vars", "spec.quantity"));
  EXPECT_EQ(field(doc, "spec.commands").type, "[]string");
  EXPECT_EQ(field(doc, "spec.targets").type, "map[string]object");
  EXPECT_EQ(field(doc, "spec.env").type, "[]object");
  EXPECT_EQ(field(doc, "spec.vars").type, "object (free-form)");
  EXPECT_EQ(field(doc, "spec.quantity").type, "int-or-string");
  EXPECT_EQ(field(doc, "spec.size").type, "integer (int32)");
}

TEST(CrdReference, RecordsDefaultsConstraintsAndOneLineDescriptions) {
  auto doc = document_crd(YAML::Load(kCrd), "widgets.yaml");
  EXPECT_EQ(field(doc, "spec.commands").default_value, "[build]");
  EXPECT_EQ(field(doc, "spec.mode").default_value, "Fast");
  EXPECT_EQ(field(doc, "spec.mode").constraints, "one of: Fast, Slow");
  EXPECT_EQ(field(doc, "spec.size").constraints, "required; >= 1; <= 9");
  EXPECT_EQ(field(doc, "spec.commands").constraints, "items <= 5");
  EXPECT_EQ(field(doc, "spec.env[].name").constraints, "pattern `^[A-Z]+$`");
  EXPECT_EQ(field(doc, "spec.targets.<name>.host").description, "The host name.");
}

TEST(CrdReference, ListsCelRulesWithTheFieldTheyName) {
  auto doc = document_crd(YAML::Load(kCrd), "widgets.yaml");
  ASSERT_EQ(doc.rules.size(), 2u);
  EXPECT_EQ(doc.rules[0].path, "Widget");
  EXPECT_EQ(doc.rules[0].message, "name too long");
  EXPECT_EQ(doc.rules[1].path, "spec.targets.<name>.host");
  EXPECT_EQ(doc.rules[1].message, "set host");
}

TEST(CrdReference, RendersOneTableRowPerFieldWithPipesEscaped) {
  auto text = render_reference({document_crd(YAML::Load(kCrd), "widgets.yaml")});
  EXPECT_THAT(text, HasSubstr("## Widget\n"));
  EXPECT_THAT(text, HasSubstr("`kubectl get widgets` or `wd`"));
  EXPECT_THAT(text, HasSubstr("| `spec.size` | `integer (int32)` |  | required; >= 1; <= 9 | How "
                              "big \\| in units. |\n"));
  EXPECT_THAT(text, HasSubstr("| `spec.commands` | `[]string` | `[build]` | items <= 5 |"));
  EXPECT_THAT(text, HasSubstr("- `Widget`: name too long\n"));
  EXPECT_THAT(text, HasSubstr("scripts/generate.sh"));
}

TEST(CrdReference, ErrorsNameTheFileAndTheMissingKey) {
  try {
    document_crd(YAML::Load("kind: CustomResourceDefinition\nspec: {group: g}\n"), "bad.yaml");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.yaml: spec.names is missing"));
  }
  try {
    document_crd(YAML::Load("kind: ConfigMap\n"), "cm.yaml");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cm.yaml: kind is 'ConfigMap'"));
  }
}

// Every property node of the real CRDs is a row of the reference: nothing is silently skipped.
TEST(CrdReference, DocumentsEveryPropertyOfTheRealCrds) {
  for (const char* file :
       {"kubedbt.io_dbtprojects.yaml", "kubedbt.io_dbtschedules.yaml", "kubedbt.io_dbtruns.yaml"}) {
    const std::string path = std::string(KUBEDBT_SOURCE_DIR) + "/crds/" + file;
    auto crd = YAML::LoadFile(path);
    auto doc = document_crd(crd, path);
    std::size_t properties = 0;
    std::function<void(const YAML::Node&)> count = [&](const YAML::Node& n) {
      if (n.IsMap()) {
        if (n["properties"] && n["properties"].IsMap()) properties += n["properties"].size();
        for (const auto& e : n) count(e.second);
      } else if (n.IsSequence()) {
        for (const auto& e : n) count(e);
      }
    };
    YAML::Node schema;
    for (const auto& v : crd["spec"]["versions"]) {
      if (v["storage"].as<bool>()) schema.reset(v["schema"]["openAPIV3Schema"]);
    }
    count(schema);
    EXPECT_EQ(doc.fields.size(), properties - 3) << file << " (apiVersion, kind, metadata skipped)";
    for (const auto& f : doc.fields) {
      EXPECT_FALSE(f.description.empty()) << file << ": " << f.path << " has no description";
      EXPECT_FALSE(f.type.empty()) << file << ": " << f.path;
    }
  }
}

}  // namespace
}  // namespace kubedbt::tools
