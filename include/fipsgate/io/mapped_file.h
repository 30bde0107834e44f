// A read-only file held as one ByteView: read whole into memory when it is small, else mapped.
//
// Mapped with mmap, the analysis pages in only the scattered regions it touches (headers, build
// info, name tables). The file stays open beside the mapping for passes that read a large region
// once, in order (the call scan, the signature scan's regions): copying it out in windows costs
// what `cat` pays per byte, where the first touch of each mapped page can cost far more
// (docs/BENCHMARKS.md, tenth round). A mid-sized file's function names and records, read whole
// and more than once, are copied out whole instead (io/copied_region.h).
//
// A file up to kReadWholeBytes is read whole with pread into a buffer that its thread keeps and
// reuses (io/thread_buffer.h). On the 2-vCPU guests this runs on, a page fault on a file mapping
// costs 20-28 us (it maps the 16 pages around it), more than a pread of 64 KiB, and page faults
// on two CPUs at once slow each other by a quarter, even in two processes, where pread does not.
// A scan of the 84-binary directory mapped 13,000 pages of its files and took 1,320 page faults
// in all; with its 82 files up to 16 MiB read whole, 625 (docs/BENCHMARKS.md, thirteenth round).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

struct ThreadBuffer;

class MappedFile {
 public:
  // automatic: read whole up to kReadWholeBytes, else mapped. mapped: always mapped (the tests
  // and fuzz targets of the passes that copy out of a mapping).
  enum class Access : uint8_t { automatic, mapped };
  static constexpr uint64_t kReadWholeBytes = uint64_t{16} << 20;

  static Result<MappedFile> open(const std::string& path, Access access = Access::automatic);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Files up to kPooledFileBytes are mapped one after another into kReservedBytes of addresses
  // that their thread keeps, each at a 2 MiB boundary (so that 2 MiB folios stay mappable whole),
  // and are unmapped all at once when the range is full and none of them is open any more.
  // Unmapping a file file by file costs a TLB flush on every CPU that runs the process: with two
  // directory workers, 84 binaries cost 147 ms of CPU against 132 ms with the unmaps gathered
  // (docs/BENCHMARKS.md, twelfth round). A file that does not fit, or finds the range full of
  // files still open, is mapped on its own, and so is every file under a limit on the address
  // space (RLIMIT_AS), which the reservation would count against.
  static constexpr uint64_t kPooledFileBytes = uint64_t{64} << 20;
  static constexpr uint64_t kReservedBytes = uint64_t{256} << 20;
  // Whether this file lies in its thread's reserved range.
  bool pooled() const { return range_ != nullptr; }
  // Whether this file was read whole into its thread's buffer instead of mapped.
  bool in_memory() const { return buffer_ != nullptr; }

  ByteView view() const { return ByteView(data_, size_, 0); }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Whether `bytes` are this file's bytes at their file offset (and so can be copied out).
  bool holds(const ByteView& bytes) const {
    return view().contains(bytes.file_offset(), bytes.size()) &&
           bytes.data() == data_ + bytes.file_offset();
  }
  // Copies the `size` bytes at file offset `offset` into `out` (pread, or from memory). False
  // when they could not all be read; the view still holds them.
  bool copy_out(uint64_t offset, uint8_t* out, uint64_t size) const;

  // Whether a pass reading `bytes` once, in order, should copy them out (for_each_window)
  // rather than read them where they lie: the mapping (not a file read whole) holds them, and
  // they are at most kCopiedOutBytes. After a sequential read the kernel holds a file in folios
  // that grow with the readahead up to 2 MiB, which it maps whole, one fault each: the 707 MB
  // provider's 403 MB of code read in place in 65 ms against 76 ms copied, where kubectl's 26 MB
  // and terraform's 45 MB, in smaller folios, took 25.9 and 33.5 ms in place against 20.2 and 30.0
  // ms copied (docs/BENCHMARKS.md, tenth round).
  static constexpr uint64_t kCopiedOutBytes = uint64_t{64} << 20;
  bool better_copied_out(const ByteView& bytes) const {
    return !in_memory() && holds(bytes) && bytes.size() <= kCopiedOutBytes;
  }

  // Bytes per window of for_each_window(): a window copied out lands in the L2 cache, where the
  // pass reads it once (64 KiB was as fast as 128 KiB and faster than 256 KiB or 1 MiB).
  static constexpr uint64_t kWindowBytes = uint64_t{64} << 10;

  // Copies out offsets [begin, end) of `bytes` (which this mapping holds) a window at a time, in
  // order, and calls on_window(data, at, own, length) for each: data holds the `length` bytes
  // from offset `at`, the window's `own` bytes (up to kWindowBytes) and after them up to `carry`
  // more, as far as `bytes` goes, for a pattern that starts in the window and ends past it.
  // Stops when on_window returns false or a copy fails; returns the offset it reached (`end`
  // when every window was passed on).
  template <class OnWindow>
  uint64_t for_each_window(const ByteView& bytes, uint64_t begin, uint64_t end, uint64_t carry,
                           OnWindow on_window) const;

 private:
  struct Range;  // one thread's reserved addresses, shared with the files mapped into them

  // Reads the file into its thread's buffer: false, with nothing read, when that buffer is held
  // by another file or cannot grow (the file is then mapped).
  Result<bool> read_into_buffer();
  void release();

  std::shared_ptr<Range> range_;          // set when pooled
  std::shared_ptr<ThreadBuffer> buffer_;  // set when read whole
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  int fd_ = -1;
  std::string path_;
};

// Calls on_piece(data, at, own, length) over offsets [begin, end) of `bytes`, in order, until it
// returns false, with the arguments of for_each_window: windows copied out of `file` when it
// holds `bytes` and they are better copied out, and otherwise, or from where a copy fails, the
// rest as one piece read where it lies (its `own` bytes up to `end`, then up to `carry` more).
template <class OnPiece>
void for_each_piece(const MappedFile* file, const ByteView& bytes, uint64_t begin, uint64_t end,
                    uint64_t carry, OnPiece on_piece) {
  uint64_t at = begin;
  bool going = true;
  if (file != nullptr && file->better_copied_out(bytes)) {
    at = file->for_each_window(
        bytes, begin, end, carry,
        [&](const uint8_t* data, uint64_t from, uint64_t own, uint64_t length) {
          going = on_piece(data, from, own, length);
          return going;
        });
  }
  if (going && at < end) {
    on_piece(bytes.data() + at, at, end - at, std::min(end + carry, bytes.size()) - at);
  }
}

template <class OnWindow>
uint64_t MappedFile::for_each_window(const ByteView& bytes, uint64_t begin, uint64_t end,
                                     uint64_t carry, OnWindow on_window) const {
  if (!holds(bytes) || begin >= end) return begin;
  const auto window = std::make_unique_for_overwrite<uint8_t[]>(kWindowBytes + carry);
  for (uint64_t at = begin; at < end; at += kWindowBytes) {
    const uint64_t own = std::min(kWindowBytes, end - at);
    const uint64_t length = std::min(own + carry, bytes.size() - at);
    if (!copy_out(bytes.file_offset() + at, window.get(), length) ||
        !on_window(static_cast<const uint8_t*>(window.get()), at, own, length)) {
      return at;
    }
  }
  return end;
}

}  // namespace fipsgate
