// FunctionTable: the functions named in a pclntab, decoded lazily from the file. Construction
// validates every functab entry (sorted, records and names in bounds) in one pass without
// keeping anything per function, so heap use does not grow with the number of functions.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/moduledata.h"
#include "fipsgate/go/pclntab.h"
#include "fipsgate/io/result.h"
#include "fipsgate/io/terminated_name.h"

namespace fipsgate {

struct Function {
  uint64_t entry = 0;     // virtual address of the first instruction
  uint64_t end = 0;       // next function's entry (the functab's end entry for the last)
  std::string_view name;  // view into the file's funcname table
};

class FunctionTable {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Function;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Function;

    Iterator() = default;
    Iterator(const FunctionTable* table, uint64_t index) : table_(table), index_(index) {}
    Function operator*() const { return table_->at(index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    const FunctionTable* table_ = nullptr;
    uint64_t index_ = 0;
  };

  uint64_t size() const { return count_; }
  // index < size(); entries were validated at construction, so this cannot fail.
  Function at(uint64_t index) const;
  // Just the name of at(index), without decoding the addresses (for counting by package).
  std::string_view name_at(uint64_t index) const { return name_of_record(record_offset(index)); }
  // The same name unmeasured, for lookups that decide on its first bytes.
  TerminatedName terminated_name_at(uint64_t index) const {
    return terminated_name_of_record(record_offset(index));
  }
  // The function whose [entry, end) holds vaddr (binary search on entry).
  std::optional<Function> containing(uint64_t vaddr) const;
  // The last instruction start at or before vaddr (inside a function) that the function's line
  // table records: where a sweep of its instructions can begin instead of at the entry. The
  // entry when the table has no usable line table (before Go 1.16, or it reads wrong); vaddr
  // itself outside every function.
  uint64_t line_start_before(uint64_t vaddr) const;
  // The first function with exactly this name (linear scan; for tests and spot checks).
  std::optional<Function> find(std::string_view name) const;
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, count_); }

  // Every NUL-terminated name in the funcname table, in table order, including functions that
  // only appear inlined (they have names there but no functab entry). Before Go 1.16 there is
  // no separate name table; then this visits the names of the functab's functions. Stops early
  // when visit returns false.
  void for_each_funcname_table_name(const std::function<bool(std::string_view)>& visit) const;

  // Text base that 1.18+ entry offsets were added to (0 before 1.18, where entries are absolute).
  uint64_t text_base() const { return text_base_; }
  PclntabVersion version() const { return version_; }

 private:
  friend Result<FunctionTable> read_function_table(const BinaryImage&, const Pclntab&,
                                                   const ModuleData*);
  uint64_t entry_address(uint64_t index) const;
  std::optional<uint64_t> index_containing(uint64_t vaddr) const;
  uint64_t record_offset(uint64_t index) const;
  std::string_view name_of_record(uint64_t record_offset) const {
    return terminated_name_of_record(record_offset).measured();
  }
  TerminatedName terminated_name_of_record(uint64_t record_offset) const;
  // Checks the entries [begin, end) (each against the next); names must start before names_end.
  // Also keeps the largest nameOff seen.
  Status validate(uint64_t begin, uint64_t end, uint64_t names_end,
                  uint64_t* largest_name_offset = nullptr) const;
  bool validate_common_layout(uint64_t begin, uint64_t end, uint64_t names_end,
                              uint64_t* largest_name_offset) const;
  Status validate_beside_names() const;

  PclntabVersion version_ = PclntabVersion::go120;
  Endian endian_ = Endian::little;
  unsigned pointer_size_ = 8;
  uint64_t count_ = 0;
  unsigned field_bytes_ = 4;  // width of a functab word: 4, or 8 for the uintptr entries of 1.2
  uint64_t text_base_ = 0;
  ByteView functab_;                        // count_+1 entries
  ByteView func_table_;                     // _func records are at func_table_ + funcoff
  ByteView funcname_table_;                 // names are at funcname_table_ + nameoff
  ByteView pc_table_;                       // pc-value tables (Go 1.16+)
  unsigned quantum_ = 1;                    // pc deltas count in instructions of this size
  std::vector<TextSection> text_sections_;  // 1.18+ split text (more than one entry) only
};

// Builds the table for `pclntab`. For Go 1.18+ the text base comes from moduledata (required
// when pcHeader.textStart is 0, as in Go 1.26), else from pcHeader.textStart, else from the
// runtime.text symbol. Errors name the first entry that is out of order or out of bounds.
Result<FunctionTable> read_function_table(const BinaryImage& image, const Pclntab& pclntab,
                                          const ModuleData* moduledata /* may be null */);

}  // namespace fipsgate
