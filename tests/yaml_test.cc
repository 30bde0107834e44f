// The YAML reader (io/yaml.h): the tree it builds from libyaml's events, the positions the schema
// errors quote, what counts as null, and how it refuses input it does not read.
#include "fipsgate/io/yaml.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using namespace fipsgate;

namespace {

yaml::Document parse_or_fail(const std::string& text) {
  Result<yaml::Document> document = yaml::parse(text, "t.yaml");
  REQUIRE_MESSAGE(document.ok(), (document.ok() ? "" : document.error().message()));
  return std::move(document).value();
}

std::string error_of(const std::string& text) {
  Result<yaml::Document> document = yaml::parse(text, "t.yaml");
  REQUIRE_FALSE(document.ok());
  return document.error().message();
}

}  // namespace

TEST_CASE("a document becomes mappings, sequences and scalars with 1-based positions") {
  yaml::Document document = parse_or_fail(
      "markers:\n"
      "  - id: a.b\n"
      "    arch: [amd64, arm64]\n");
  yaml::Node root = document.root();
  REQUIRE(root.is_mapping());
  CHECK(root.line() == 1);
  yaml::Node list = root["markers"];
  REQUIRE(list.is_sequence());
  REQUIRE(list.size() == 1);
  yaml::Node marker = list[0];
  CHECK(marker.is_mapping());
  CHECK(marker.line() == 2);
  CHECK(marker.column() == 5);
  CHECK(marker["id"].text() == "a.b");
  yaml::Node arch = marker["arch"];
  CHECK(arch.line() == 3);
  CHECK(arch.column() == 11);
  std::vector<std::string> names;
  for (const yaml::Node& item : arch.items()) names.push_back(item.text());
  CHECK(names == std::vector<std::string>{"amd64", "arm64"});
}

TEST_CASE("mapping entries keep document order, and a lookup finds the first of a repeated key") {
  yaml::Document document = parse_or_fail("b: 1\na: 2\nb: 3\n");
  std::vector<std::string> keys;
  for (const yaml::Entry& entry : document.root().entries()) keys.push_back(entry.key.text());
  CHECK(keys == std::vector<std::string>{"b", "a", "b"});
  CHECK(document.root().size() == 3);
  CHECK(document.root()["b"].text() == "1");
}

TEST_CASE("missing keys and indices, and lookups on the wrong kind of node, are absent") {
  yaml::Document document = parse_or_fail("list: [a]\nword: w\n");
  yaml::Node root = document.root();
  CHECK_FALSE(root["nothing"].defined());
  CHECK_FALSE(root["list"][1].defined());
  CHECK_FALSE(root["word"]["x"].defined());
  CHECK_FALSE(root["list"]["x"].defined());
  CHECK_FALSE(root[0].defined());
  CHECK(root["nothing"].line() == 0);
  CHECK(root["nothing"].text().empty());
  CHECK(root["word"].size() == 0);
}

TEST_CASE("plain ~, null and empty values are null; quoted or tagged they are text") {
  yaml::Document document =
      parse_or_fail("a: ~\nb: null\nc: NULL\nd:\ne: \"null\"\nf: ''\ng: !!str ~\nh: nUll\n");
  yaml::Node root = document.root();
  for (const char* key : {"a", "b", "c", "d"}) {
    CAPTURE(key);
    CHECK(root[key].is_null());
    CHECK(root[key].defined());
  }
  CHECK(root["e"].text() == "null");
  CHECK(root["f"].is_scalar());
  CHECK(root["f"].text().empty());
  CHECK(root["g"].text() == "~");
  CHECK(root["h"].is_scalar());
  // An empty value is placed right after its key's colon, on the key's line.
  CHECK(root["d"].line() == 4);
}

TEST_CASE("scalars stay text: releases, dates and numbers are not converted") {
  yaml::Document document = parse_or_fail("go: 1.20\ndate: 2026-09-21\nhex: 0x10\n");
  CHECK(document.root()["go"].text() == "1.20");
  CHECK(document.root()["date"].text() == "2026-09-21");
  CHECK(document.root()["hex"].text() == "0x10");
}

TEST_CASE("booleans are the YAML 1.1 words in lower, title or upper case") {
  yaml::Document document = parse_or_fail(
      "[true, True, TRUE, yes, Y, on, \"On\", false, No, n, OFF, tRUE, maybe, 1, ~, [x]]\n");
  std::vector<std::optional<bool>> values;
  for (const yaml::Node& item : document.root().items()) values.push_back(item.as_bool());
  const std::vector<std::optional<bool>> expected = {
      true,  true,  true,  true,         true,         true,         true,         false,
      false, false, false, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  CHECK(values == expected);
}

TEST_CASE("only the first document of a stream is read") {
  yaml::Document document = parse_or_fail("a: 1\n---\nb: [unclosed\n");
  CHECK(document.root()["a"].text() == "1");
  CHECK_FALSE(document.root()["b"].defined());
}

TEST_CASE("an empty stream is a null root without a position") {
  for (const char* text : {"", "# only a comment\n"}) {
    yaml::Document document = parse_or_fail(text);
    CHECK(document.root().is_null());
    CHECK(document.root().line() == 0);
  }
  Result<yaml::Document> nothing = yaml::parse(std::string_view(), "t.yaml");
  REQUIRE(nothing.ok());
  CHECK(nothing->root().is_null());
}

TEST_CASE("nodes stay valid when their document is moved") {
  yaml::Document first = parse_or_fail("key: value\n");
  yaml::Node value = first.root()["key"];
  yaml::Document second = std::move(first);
  CHECK(value.text() == "value");
  CHECK(second.root()["key"].text() == "value");
}

TEST_CASE("a syntax error names the file, line and column and what libyaml expected") {
  const std::string message = error_of("a: 1\nb: [x, y\nc: 2\n");
  CHECK(message.starts_with("t.yaml:3:2: not valid YAML: "));
  CHECK(message.find("while parsing a flow sequence started at line 2, column 4") !=
        std::string::npos);
}

TEST_CASE("bytes that are not UTF-8 are an error at their line and column") {
  CHECK(error_of("a: 1\nb: caf\xe9\n").starts_with("t.yaml:2:7: not valid YAML: "));
}

TEST_CASE("an alias is refused at its position; an anchor alone is read") {
  CHECK(error_of("a: &x [1]\nb: *x\n") ==
        "t.yaml:2:4: YAML alias '*x' is not supported: write the value out in full");
  yaml::Document document = parse_or_fail("a: &x [1]\n");
  CHECK(document.root()["a"][0].text() == "1");
}
