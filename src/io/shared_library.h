// System libraries opened with dlopen the first time a feature needs them. Linked normally, a
// library is loaded and relocated at every start: libcrypto costs ~1.8 ms and Capstone ~2.1 ms
// here, more than the whole scan of a small binary, while most runs never hash (the digest is
// for the evidence formats) and few need a disassembler (callers of non-approved crypto).
#pragma once

#include <functional>
#include <initializer_list>
#include <string>

namespace fipsgate {

// One function a caller needs from a library, and the pointer to set to it (declared with the
// type the library's header gives the function).
struct LibrarySymbol {
  template <class Function>
  LibrarySymbol(const char* symbol_name, Function*& pointer)
      : name(symbol_name),
        assign([&pointer](void* address) { pointer = reinterpret_cast<Function*>(address); }) {}
  const char* name;
  std::function<void(void*)> assign;
};

// Opens the library by the soname the build recorded (e.g. "libcapstone.so.4"), keeps it open
// for the life of the process and sets every symbol's pointer. Returns "" on success, else what
// failed (dlerror()'s text, or the first missing symbol); then no pointer should be used.
std::string open_library(const std::string& soname, std::initializer_list<LibrarySymbol> symbols);

}  // namespace fipsgate
