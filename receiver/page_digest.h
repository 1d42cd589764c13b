// The END message's digest (protocol-spec/dump-wire-protocol.md §5.5): BLAKE2s-256 over, for
// every PAGE pfn in increasing pfn order, le64(pfn) || the page's page_size bytes. The sender
// computes it while streaming pages; the receiver recomputes it from the file it wrote.
// BLAKE2s comes from OpenSSL's libcrypto (EVP "BLAKE2S-256"), the same function as the
// kernel's blake2s_*() a kernel-module sender uses.
//
// Not thread-safe: one per stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace vmscope {

class PageDigest {
 public:
  PageDigest();
  ~PageDigest();
  PageDigest(const PageDigest&) = delete;
  PageDigest& operator=(const PageDigest&) = delete;

  void add_page(std::uint64_t pfn, std::span<const std::byte> page);
  // The digest so far (the stream may continue).
  std::array<std::byte, 32> value() const;
  bool ok() const { return context_ != nullptr; }

 private:
  void* context_;  // EVP_MD_CTX
};

}  // namespace vmscope
