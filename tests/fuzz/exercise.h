// Touches everything a reader returned for hostile bytes and checks the invariants that must
// hold for ANY input, valid or not. Shared by the libFuzzer targets (which abort on a broken
// invariant), the mutation harness and the regression test (which report it).
//
// Invariants (docs/hardening.md, "What counts as a failure"):
//  - every view a reader returns (section bytes, names, tables) lies inside the file's bytes;
//  - a function table exists only with the pclntab it was read from, and so does moduledata;
//  - function entries are sorted, each [entry, end) is non-empty or zero-length but ordered, and
//    containing() agrees with at(), and line_start_before() stays inside the function;
//  - nothing is read past a view's end (AddressSanitizer checks that the touches stay in bounds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/go/symbol_name.h"

namespace fipsgate::fuzzing {

// Collects broken invariants; empty means the input was handled correctly.
struct Violations {
  std::vector<std::string> messages;
  void add(std::string message) { messages.push_back(std::move(message)); }
  bool empty() const { return messages.empty(); }
};

// Reads every byte so that a view past the mapping faults (or trips ASan) here.
inline uint8_t touch(const uint8_t* data, uint64_t size) {
  uint8_t sum = 0;
  for (uint64_t i = 0; i < size; ++i) sum = static_cast<uint8_t>(sum + data[i]);
  return sum;
}
inline uint8_t touch(std::string_view text) {
  return touch(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}
// Large views: first and last byte only (ASan still checks both ends).
inline uint8_t touch_ends(ByteView view) {
  if (view.empty()) return 0;
  return static_cast<uint8_t>(view.data()[0] + view.data()[view.size() - 1]);
}

inline bool inside(ByteView file, const void* data, uint64_t size) {
  if (size == 0) return true;
  auto begin = reinterpret_cast<uintptr_t>(file.data());
  auto at = reinterpret_cast<uintptr_t>(data);
  return at >= begin && at - begin <= file.size() && size <= file.size() - (at - begin);
}
inline bool inside(ByteView file, std::string_view text) {
  return inside(file, text.data(), text.size());
}
inline bool inside(ByteView file, ByteView view) {
  return inside(file, view.data(), view.size());
}

inline void exercise_image(const BinaryImage& image, Violations& out, volatile uint8_t& sink) {
  const ByteView file = image.file();
  for (const Section& section : image.sections) {
    sink = sink + touch(section.name);
    if (auto bytes = image.section_bytes(section)) {
      if (!inside(file, *bytes)) out.add("section " + std::string(section.name) + " outside file");
      sink = sink + touch_ends(*bytes);
    }
  }
  for (const Segment& segment : image.segments) {
    if (auto bytes = image.at_address(segment.vaddr, segment.file_size)) {
      if (!inside(file, *bytes)) out.add("segment at " + hex(segment.vaddr) + " outside file");
      sink = sink + touch_ends(*bytes);
    }
    (void)image.from_address(segment.vaddr + segment.file_size / 2);
    (void)image.file_offset_of(segment.vaddr + segment.memory_size);
    (void)image.vaddr_of_file_offset(segment.file_offset);
  }
  uint64_t symbol_budget = 1u << 16;  // bounded per input so a fuzzer stays fast
  auto visit = [&](const Symbol& symbol) {
    if (!inside(file, symbol.name)) out.add("symbol name outside file");
    sink = sink + touch(symbol.name);
    return --symbol_budget > 0;
  };
  image.symbols.for_each(visit);
  image.dynamic_symbols.for_each(visit);
  if (image.interpreter) sink = sink + touch(*image.interpreter);
  for (std::string_view library : image.needed_libraries) sink = sink + touch(library);
  if (image.build_ids.go_build_id) sink = sink + touch(*image.build_ids.go_build_id);
  (void)image.at_address(image.entry_vaddr, 16);
}

inline void exercise_name(std::string_view name, volatile uint8_t& sink) {
  sink = sink + static_cast<uint8_t>(classify_symbol_name(name));
  sink = sink + touch(package_path(name));
  sink = sink + touch(strip_abi_suffix(name));
  sink = sink + touch(strip_vendor(package_path(name)));
  sink = sink + static_cast<uint8_t>(import_path(name).size());
  sink = sink + static_cast<uint8_t>(collapse_type_arguments(name).size());
}

inline void exercise_functions(const BinaryImage& image, const FunctionTable& functions,
                               Violations& out, volatile uint8_t& sink,
                               uint64_t max_functions = 1u << 20) {
  const ByteView file = image.file();
  uint64_t previous_entry = 0;
  const uint64_t count = functions.size() < max_functions ? functions.size() : max_functions;
  for (uint64_t i = 0; i < count; ++i) {
    Function function = functions.at(i);
    if (!inside(file, function.name)) {
      out.add("function " + std::to_string(i) + " name outside file");
      return;
    }
    if (function.entry < previous_entry)
      out.add("function " + std::to_string(i) + " entry " + hex(function.entry) + " before " +
              hex(previous_entry));
    if (function.end < function.entry)
      out.add("function " + std::to_string(i) + " ends before its entry");
    previous_entry = function.entry;
    sink = sink + touch(function.name);
    if (i < 4096) exercise_name(function.name, sink);
    if (i % 7 == 0 || i + 1 == count) {
      auto found = functions.containing(function.entry);
      if (function.end > function.entry &&
          (!found || found->entry > function.entry || found->end <= function.entry))
        out.add("containing(" + hex(function.entry) + ") disagrees with at(" + std::to_string(i) +
                ")");
      (void)functions.containing(function.entry - 1);
      (void)functions.containing(function.end);
      // A line start lies in [entry, vaddr] of the function holding vaddr.
      if (function.end > function.entry) {
        const uint64_t inside_function = function.entry + (function.end - function.entry) / 2;
        const uint64_t start = functions.line_start_before(inside_function);
        if (found && (start < found->entry || start > inside_function))
          out.add("line_start_before(" + hex(inside_function) + ") outside its function");
      }
    }
  }
  (void)functions.containing(0);
  (void)functions.containing(~uint64_t{0});
  (void)functions.find("main.main");
  uint64_t name_budget = 1u << 16;
  functions.for_each_funcname_table_name([&](std::string_view name) {
    if (!inside(file, name)) out.add("funcname table name outside file");
    sink = sink + touch(name);
    return --name_budget > 0;
  });
}

inline void exercise_go(const BinaryImage& image, const GoBinary& go, Violations& out,
                        volatile uint8_t& sink) {
  const ByteView file = image.file();
  if (go.functions && !go.pclntab) out.add("function table without a pclntab");
  if (go.moduledata && !go.pclntab) out.add("moduledata without a pclntab");
  if (go.pclntab) {
    const Pclntab& table = *go.pclntab;
    for (ByteView view : {table.bytes, table.funcname_table, table.cu_table, table.file_table,
                          table.pc_table, table.func_table, table.functab}) {
      if (!inside(file, view)) out.add("pclntab view outside file (" + table.found_in + ")");
      sink = sink + touch_ends(view);
    }
  }
  if (go.functions) exercise_functions(image, *go.functions, out, sink);
  if (go.build_info) {
    const BuildInfo& info = *go.build_info;
    if (info.blob_file_offset >= file.size() && file.size() != 0)
      out.add("build info blob offset " + hex(info.blob_file_offset) + " past the file end");
    sink = sink + touch(info.go_version_text) + touch(info.module_text);
    for (const Module& dep : info.modules.deps) sink = sink + touch(dep.module.path);
  }
  if (const GoVersion* version = go.go_version()) sink = sink + touch(version->raw);
  if (const ModuleInfo* modules = go.modules())
    for (const BuildSetting& setting : modules->settings) sink = sink + touch(setting.value);
  for (const std::string& error : go.errors) sink = sink + touch(error);
  sink = sink + static_cast<uint8_t>(go.is_go());
}

}  // namespace fipsgate::fuzzing
