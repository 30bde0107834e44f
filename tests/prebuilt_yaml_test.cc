// The YAML trees the build compiles in (io/yaml_tree.h): every shipped file has one, each is the
// tree libyaml gives for the same bytes, and any other text, however close, goes through libyaml.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "io/yaml_tree.h"

using namespace fipsgate;

namespace {

const std::filesystem::path kShipped = std::filesystem::path(FIPSGATE_SOURCE_DIR) / "signatures";

std::string read_file(const std::filesystem::path& path) {
  Result<std::string> text = yaml::read_text_file(path.string());
  REQUIRE_MESSAGE(text.ok(), (text.ok() ? "" : text.error().message()));
  return std::move(text).value();
}

std::set<std::string> shipped_names() {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kShipped)) {
    if (entry.path().extension() == ".yaml") {
      names.insert(entry.path().lexically_relative(kShipped).generic_string());
    }
  }
  return names;
}

yaml::Document parse_with_libyaml(std::string_view text) {
  auto document = yaml::parse_with_libyaml(text, "t.yaml");
  REQUIRE_MESSAGE(document.ok(), (document.ok() ? "" : document.error().message()));
  return std::move(document).value();
}

void check_same_tree(const yaml::Tree& got, const yaml::Tree& expected) {
  REQUIRE(got.nodes.size() == expected.nodes.size());
  for (size_t i = 0; i < got.nodes.size(); ++i) {
    CAPTURE(i);
    const yaml::NodeData& a = got.nodes[i];
    const yaml::NodeData& b = expected.nodes[i];
    CHECK(a.kind == b.kind);
    CHECK(a.line == b.line);
    CHECK(a.column == b.column);
    CHECK(a.first == b.first);
    CHECK(a.count == b.count);
    CHECK(a.text == b.text);
  }
  CHECK(got.links == expected.links);
}

}  // namespace

TEST_CASE("every shipped YAML file is prebuilt, under its path, and nothing else is") {
  std::set<std::string> prebuilt;
  for (const auto& document : yaml::prebuilt_documents()) {
    prebuilt.insert(std::string(document.name));
  }
  const std::set<std::string> shipped = shipped_names();
  REQUIRE(shipped.size() >= 10);
  CHECK(prebuilt == shipped);
  for (const std::string& name : shipped) {
    CAPTURE(name);
    const yaml::PrebuiltDocument* found = yaml::find_prebuilt(read_file(kShipped / name));
    REQUIRE(found != nullptr);
    CHECK(found->name == name);
  }
}

TEST_CASE("a prebuilt tree is the one libyaml builds from the same bytes") {
  for (const auto& prebuilt : yaml::prebuilt_documents()) {
    CAPTURE(prebuilt.name);
    auto document = yaml::parse(prebuilt.text, prebuilt.name);
    REQUIRE(document.ok());
    const yaml::Tree& tree = yaml::DocumentAccess::tree(*document);
    CHECK(tree.nodes.size() > 10);
    check_same_tree(tree, yaml::DocumentAccess::tree(parse_with_libyaml(prebuilt.text)));
  }
}

TEST_CASE("a text that differs from a prebuilt one by a byte is read by libyaml") {
  REQUIRE_FALSE(yaml::prebuilt_documents().empty());
  const std::string text(yaml::prebuilt_documents().front().text);

  const std::string shorter = text.substr(0, text.size() - 1);
  CHECK(yaml::find_prebuilt(shorter) == nullptr);
  std::string changed = text;
  changed[changed.size() / 2] ^= 0x20;
  CHECK(yaml::find_prebuilt(changed) == nullptr);

  // Only libyaml reports errors, so an error shows which reader ran.
  auto broken = yaml::parse(text + "key: [unclosed\n", "edited.yaml");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message().rfind("edited.yaml:", 0) == 0);
  CHECK(broken.error().message().find("not valid YAML") != std::string::npos);

  // An edit that still parses gives libyaml's tree for the edited text.
  const std::string commented = text + "# a comment\n";
  CHECK(yaml::find_prebuilt(commented) == nullptr);
  auto document = yaml::parse(commented, "edited.yaml");
  REQUIRE(document.ok());
  check_same_tree(yaml::DocumentAccess::tree(*document),
                  yaml::DocumentAccess::tree(parse_with_libyaml(text)));
}
